using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Sessions;

namespace OnePass.IdentityProvider.Features.AdminApi.Users;

/// <summary>
/// A user's SSO sessions through the admin API (issue 3 item 1, issue 5 "end all sessions"): list them,
/// end one, end all. Ending goes through <see cref="SsoSessionStore.EndAsync"/>, so single logout applies
/// exactly as when the citizen signs out: every agency the session signed into is notified (issue 3 item 3,
/// "an admin ending it"). A session is ended only when it is found in that user's own list: an id that is
/// malformed, unknown or another user's is a 404 and is never passed on to the store. Each ending is
/// written to the change log as <c>user.sessions.end</c>.
/// </summary>
public static class UserSessionEndpoints
{
    public const string EndAction = "user.sessions.end";

    private const string LoggerName = "OnePass.IdentityProvider.Features.AdminApi.UserSessionEndpoints";

    public static RouteGroupBuilder Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/users/{userId}/sessions", ListAsync)
            .WithName("ListUserSessions")
            .WithSummary("A user's live SSO sessions, most recently active first.")
            .WithTags(UserEndpoints.Tag)
            .Produces<UserSessionList>()
            .Produces<AdminApiError>(StatusCodes.Status400BadRequest)
            .Produces<AdminApiError>(StatusCodes.Status404NotFound);
        admin.MapDelete("/users/{userId}/sessions/{sessionId}", EndOneAsync)
            .WithName("EndUserSession")
            .WithSummary("Ends one of the user's sessions; single logout notifies the agencies it signed into.")
            .WithTags(UserEndpoints.Tag)
            .Produces(StatusCodes.Status204NoContent)
            .Produces<AdminApiError>(StatusCodes.Status400BadRequest)
            .Produces<AdminApiError>(StatusCodes.Status404NotFound);
        admin.MapDelete("/users/{userId}/sessions", EndAllAsync)
            .WithName("EndAllUserSessions")
            .WithSummary("Ends every session of the user (single logout); answers how many ended.")
            .WithTags(UserEndpoints.Tag)
            .Produces<EndedSessions>()
            .Produces<AdminApiError>(StatusCodes.Status400BadRequest)
            .Produces<AdminApiError>(StatusCodes.Status404NotFound);
        return admin;
    }

    /// <summary>
    /// GET /api/admin/users/{userId}/sessions — the user's live sessions, most recently active first
    /// (the order of the citizen's own "where you're signed in" list).
    /// </summary>
    public static async Task<IResult> ListAsync(
        string userId, HttpRequest request, OnePassDbContext db, SsoSessionStore sessions, CancellationToken cancellationToken)
    {
        var (error, id) = await FindUserAsync(userId, request, db, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        return Results.Ok(new UserSessionList([.. (await sessions.ListForUserAsync(id, cancellationToken)).Select(UserSessionView.From)]));
    }

    /// <summary>DELETE /api/admin/users/{userId}/sessions/{sessionId} — 204 when ended, 404 when not one of this user's live sessions.</summary>
    public static async Task<IResult> EndOneAsync(
        string userId, string sessionId, HttpContext context, OnePassDbContext db, SsoSessionStore sessions,
        AdminChangeLog changes, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (error, id) = await FindUserAsync(userId, context.Request, db, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        // Ownership first: only an id found in this user's own list is ever handed to the store.
        var session = SsoSessionStore.IsSessionId(sessionId)
            ? (await sessions.ListForUserAsync(id, cancellationToken)).FirstOrDefault(candidate => candidate.Id == sessionId)
            : null;
        if (session is null)
        {
            return AdminApiError.NotFound("The user has no live session with that id.");
        }

        // Not cancellable from here: once the session is taken, its agencies must be told even if the caller has gone.
        if (!await sessions.EndAsync(sessionId, SessionEndReason.EndedByAdministrator, context, CancellationToken.None))
        {
            return AdminApiError.NotFound("The user has no live session with that id."); // it ended meanwhile
        }

        await changes.RecordAsync(context, EndAction, UserEndpoints.TargetType, id.ToString(),
            new { Sessions = new[] { UserSessionView.From(session) } }, new { Sessions = Array.Empty<UserSessionView>() }, CancellationToken.None);
        loggers.CreateLogger(LoggerName).LogInformation(
            "Administrator {AdministratorId} ended session {SessionId} of user {UserId}.", AdminCaller.Of(context).UserId, sessionId, id);
        return Results.NoContent();
    }

    /// <summary>DELETE /api/admin/users/{userId}/sessions — ends every session of the user: <c>{"ended": n}</c>.</summary>
    public static async Task<IResult> EndAllAsync(
        string userId, HttpContext context, OnePassDbContext db, SsoSessionStore sessions,
        AdminChangeLog changes, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (error, id) = await FindUserAsync(userId, context.Request, db, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var before = (await sessions.ListForUserAsync(id, cancellationToken)).Select(UserSessionView.From).ToList();
        var ended = await sessions.EndAllForUserAsync(id, SessionEndReason.EndedByAdministrator, except: null, CancellationToken.None);

        await changes.RecordAsync(context, EndAction, UserEndpoints.TargetType, id.ToString(),
            new { Sessions = before }, new { Sessions = Array.Empty<UserSessionView>() }, CancellationToken.None);
        loggers.CreateLogger(LoggerName).LogInformation(
            "Administrator {AdministratorId} ended all {Count} sessions of user {UserId}.", AdminCaller.Of(context).UserId, ended, id);
        return Results.Ok(new EndedSessions(ended));
    }

    /// <summary>400 for a malformed user id or any query parameter, 404 for an unknown user; otherwise no error.</summary>
    private static async Task<(IResult? Error, Guid UserId)> FindUserAsync(
        string userId, HttpRequest request, OnePassDbContext db, CancellationToken cancellationToken)
    {
        if (AdminApiQuery.Read(request).Error is { } error)
        {
            return (error, Guid.Empty);
        }

        if (!Guid.TryParse(userId, out var id))
        {
            return (UserEndpoints.MalformedId(), Guid.Empty);
        }

        return await db.Users.AsNoTracking().AnyAsync(user => user.Id == id, cancellationToken)
            ? (null, id)
            : (UserEndpoints.UnknownUser(), id);
    }
}

public sealed record UserSessionList(IReadOnlyList<UserSessionView> Items);

/// <summary>
/// One live session as an administrator sees it. <see cref="ExpiresAt"/> is the absolute end; the session
/// ends earlier if it stays idle past the idle timeout.
/// </summary>
public sealed record UserSessionView(
    string Id,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset ExpiresAt,
    string? UserAgent,
    string? IpAddress,
    IReadOnlyList<string> Agencies)
{
    public static UserSessionView From(SessionRecord session) => new(
        session.Id, session.CreatedAt, session.LastSeenAt, session.ExpiresAt, session.UserAgent, session.IpAddress,
        [.. session.Agencies.Order(StringComparer.Ordinal)]);
}

public sealed record EndedSessions(int Ended);
