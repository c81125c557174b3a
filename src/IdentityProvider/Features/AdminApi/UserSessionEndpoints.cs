using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Sessions;
using OpenIddict.Abstractions;

namespace OnePass.IdentityProvider.Features.AdminApi;

/// <summary>
/// A user's SSO sessions through the admin API (issue 3 item 1, issue 5 "end all sessions"): list them,
/// end one, end all. Ending goes through <see cref="SsoSessionStore.EndAsync"/>, so single logout applies
/// exactly as when the citizen signs out: every agency the session signed into is notified (issue 3 item 3,
/// "an admin ending it"). A session is ended only when it is found in that user's own list: an id that is
/// malformed, unknown or another user's is a 404 and is never passed on to the store.
/// </summary>
public static class UserSessionEndpoints
{
    private const string LoggerName = "OnePass.IdentityProvider.Features.AdminApi.UserSessionEndpoints";

    public static RouteGroupBuilder Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/users/{userId}/sessions", ListAsync);
        admin.MapDelete("/users/{userId}/sessions/{sessionId}", EndOneAsync);
        admin.MapDelete("/users/{userId}/sessions", EndAllAsync);
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

        var items = (await sessions.ListForUserAsync(id, cancellationToken))
            .Select(session => new UserSessionView(
                session.Id, session.CreatedAt, session.LastSeenAt, session.ExpiresAt, session.UserAgent, session.IpAddress,
                [.. session.Agencies.Order(StringComparer.Ordinal)]))
            .ToList();
        return Results.Ok(new UserSessionList(items));
    }

    /// <summary>DELETE /api/admin/users/{userId}/sessions/{sessionId} — 204 when ended, 404 when not one of this user's live sessions.</summary>
    public static async Task<IResult> EndOneAsync(
        string userId, string sessionId, HttpContext context, OnePassDbContext db, SsoSessionStore sessions,
        IOpenIddictAuthorizationManager authorizations, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (error, id) = await FindUserAsync(userId, context.Request, db, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        // Ownership first: only an id found in this user's own list is ever handed to the store.
        if (!SsoSessionStore.IsSessionId(sessionId) ||
            !(await sessions.ListForUserAsync(id, cancellationToken)).Any(session => session.Id == sessionId))
        {
            return NotFound("The user has no live session with that id.");
        }

        // Not cancellable from here: once the session is taken, its agencies must be told even if the caller has gone.
        if (!await sessions.EndAsync(sessionId, SessionEndReason.EndedByAdministrator, context, CancellationToken.None))
        {
            return NotFound("The user has no live session with that id."); // it ended meanwhile
        }

        // A full audit trail (who, what, before and after) comes with issue 5; until then, the log. Ids only.
        loggers.CreateLogger(LoggerName).LogInformation(
            "Administrator {AdministratorId} ended session {SessionId} of user {UserId}.",
            await AdministratorIdAsync(context.User, authorizations), sessionId, id);
        return Results.NoContent();
    }

    /// <summary>DELETE /api/admin/users/{userId}/sessions — ends every session of the user: <c>{"ended": n}</c>.</summary>
    public static async Task<IResult> EndAllAsync(
        string userId, HttpContext context, OnePassDbContext db, SsoSessionStore sessions,
        IOpenIddictAuthorizationManager authorizations, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (error, id) = await FindUserAsync(userId, context.Request, db, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var ended = await sessions.EndAllForUserAsync(id, SessionEndReason.EndedByAdministrator, except: null, CancellationToken.None);

        // A full audit trail (who, what, before and after) comes with issue 5; until then, the log. Ids only.
        loggers.CreateLogger(LoggerName).LogInformation(
            "Administrator {AdministratorId} ended all {Count} sessions of user {UserId}.",
            await AdministratorIdAsync(context.User, authorizations), ended, id);
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
            return (AdminApiError.InvalidRequest("The user id must be a GUID."), Guid.Empty);
        }

        return await db.Users.AsNoTracking().AnyAsync(user => user.Id == id, cancellationToken)
            ? (null, id)
            : (NotFound("No user has that id."), id);
    }

    /// <summary>
    /// The administrator's user id: the subject of the token's authorization (the token's own <c>sub</c>
    /// may be pairwise for the tool's client). Null only if the authorization vanished mid-call.
    /// </summary>
    private static async Task<string?> AdministratorIdAsync(ClaimsPrincipal principal, IOpenIddictAuthorizationManager authorizations) =>
        principal.GetAuthorizationId() is { } authorizationId &&
        await authorizations.FindByIdAsync(authorizationId, CancellationToken.None) is { } authorization
            ? await authorizations.GetSubjectAsync(authorization, CancellationToken.None)
            : null;

    private static IResult NotFound(string description) =>
        Results.Json(new AdminApiError("not_found", description), statusCode: StatusCodes.Status404NotFound);
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
    IReadOnlyList<string> Agencies);

public sealed record EndedSessions(int Ended);
