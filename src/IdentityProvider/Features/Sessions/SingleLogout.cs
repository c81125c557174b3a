using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Infrastructure;
using OpenIddict.Abstractions;

namespace OnePass.IdentityProvider.Features.Sessions;

/// <summary>
/// Single logout: when a session ends, every agency it signed into is told. Back-channel (Back-Channel
/// Logout 1.0): one outbox row per agency with a <c>backchannelLogoutUri</c>, written at once and sent
/// by <see cref="BackChannelLogoutDispatcher"/>, so the citizen never waits for an agency. Front-channel
/// (Front-Channel Logout 1.0): the iframes the end-session page shows, when a browser is there.
/// </summary>
public sealed class SingleLogout(
    IServiceScopeFactory scopes,
    SubjectIdentifiers subjects,
    LogoutDispatchSignal signal,
    IOptions<OnePassOptions> options,
    IServer server,
    TimeProvider time,
    ILogger<SingleLogout> logger)
{
    private const string EndedSessionItem = "OnePass.EndedSession";

    /// <summary>The <see cref="LogoutNotification.Reason"/> of a logout sent because the citizen disconnected the agency.</summary>
    public const string AgencyDisconnectedReason = "AgencyDisconnected";

    /// <summary>The session that ended during this request, if any (the end-session page lists its front-channel iframes).</summary>
    public static SessionRecord? EndedIn(HttpContext context) => context.Items[EndedSessionItem] as SessionRecord;

    /// <remarks>Takes no cancellation token: once the session is gone, its notifications must be written even if the browser has gone away.</remarks>
    public async Task SessionEndedAsync(SessionRecord session, SessionEndReason reason, HttpContext? httpContext)
    {
        if (httpContext is not null)
        {
            httpContext.Items[EndedSessionItem] = session;
        }

        if (session.Agencies.Count == 0)
        {
            return;
        }

        var issuer = Issuer(httpContext);
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var db = scope.ServiceProvider.GetRequiredService<OnePassDbContext>();
        foreach (var (clientId, agency) in await AgenciesAsync(applications, session, CancellationToken.None))
        {
            if (agency.BackchannelLogoutUri is not { } uri)
            {
                continue;
            }

            db.LogoutNotifications.Add(new LogoutNotification
            {
                Id = Guid.NewGuid(),
                ClientId = clientId,
                Issuer = issuer,
                Uri = uri.AbsoluteUri,
                Subject = subjects.For(session.UserId, agency),
                SessionId = subjects.SessionIdFor(session.Sid, clientId),
                TokenId = Base64Url(RandomNumberGenerator.GetBytes(18)),
                Reason = reason.ToString(),
                Status = LogoutNotificationStatus.Pending,
                CreatedAt = now,
                NextAttemptAt = now,
            });
        }

        if (db.ChangeTracker.HasChanges())
        {
            await db.SaveChangesAsync(CancellationToken.None);
            logger.LogInformation("Queued back-channel logout for session {SessionId} to {Count} agencies.",
                session.Id, db.ChangeTracker.Entries<LogoutNotification>().Count());
            signal.Wake();
        }
    }

    /// <summary>
    /// The citizen disconnected an agency (account page): it gets a back-channel logout now, one per live
    /// session it took part in (<paramref name="sessions"/>, each with that session's <c>sid</c>), or, when
    /// none is live, one naming the citizen only (<c>sub</c> without <c>sid</c>: "every session of this
    /// user", Back-Channel Logout 1.0 §2.4). OnePass registers no <c>backchannel_logout_session_required</c>
    /// per agency, so no agency requires a <c>sid</c>. Nothing is queued for an agency without a
    /// <c>backchannelLogoutUri</c>.
    /// </summary>
    /// <remarks>Takes no cancellation token: the consent is already gone, so the agency must be told.</remarks>
    public async Task AgencyDisconnectedAsync(Guid userId, string clientId, IReadOnlyList<SessionRecord> sessions, HttpContext? httpContext)
    {
        await using var scope = scopes.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        if (await applications.FindByClientIdAsync(clientId, CancellationToken.None) is not { } application ||
            await AgencySettings.ReadAsync(applications, application, CancellationToken.None) is not { BackchannelLogoutUri: { } uri } agency)
        {
            return;
        }

        var issuer = Issuer(httpContext);
        var now = time.GetUtcNow();
        var subject = subjects.For(userId, agency);
        var db = scope.ServiceProvider.GetRequiredService<OnePassDbContext>();

        // An empty session id is "no sid" (the column is required): LogoutTokenFactory leaves the claim out.
        IEnumerable<string> sids = sessions.Count == 0 ? [string.Empty] : sessions.Select(session => subjects.SessionIdFor(session.Sid, clientId));
        foreach (var sid in sids)
        {
            db.LogoutNotifications.Add(new LogoutNotification
            {
                Id = Guid.NewGuid(),
                ClientId = clientId,
                Issuer = issuer,
                Uri = uri.AbsoluteUri,
                Subject = subject,
                SessionId = sid,
                TokenId = Base64Url(RandomNumberGenerator.GetBytes(18)),
                Reason = AgencyDisconnectedReason,
                Status = LogoutNotificationStatus.Pending,
                CreatedAt = now,
                NextAttemptAt = now,
            });
        }

        await db.SaveChangesAsync(CancellationToken.None);
        logger.LogInformation("Queued back-channel logout to {ClientId}, disconnected by user {UserId}, for {Count} sessions.",
            clientId, userId, sessions.Count);
        signal.Wake();
    }

    /// <summary>The front-channel logout iframes for an ended session: each agency's URI with <c>iss</c> and its <c>sid</c>.</summary>
    public async Task<IReadOnlyList<string>> FrontChannelUrisAsync(SessionRecord session, HttpContext httpContext)
    {
        var issuer = Issuer(httpContext);
        await using var scope = scopes.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var uris = new List<string>();
        foreach (var (clientId, agency) in await AgenciesAsync(applications, session, httpContext.RequestAborted))
        {
            if (agency.FrontchannelLogoutUri is { } uri)
            {
                uris.Add(QueryHelpers.AddQueryString(uri.AbsoluteUri, new Dictionary<string, string?>
                {
                    ["iss"] = issuer,
                    ["sid"] = subjects.SessionIdFor(session.Sid, clientId),
                }));
            }
        }

        return uris;
    }

    private static async Task<List<(string ClientId, AgencySettings Agency)>> AgenciesAsync(
        IOpenIddictApplicationManager applications, SessionRecord session, CancellationToken cancellationToken)
    {
        var agencies = new List<(string, AgencySettings)>();
        foreach (var clientId in session.Agencies.Order(StringComparer.Ordinal))
        {
            if (await applications.FindByClientIdAsync(clientId, cancellationToken) is { } application)
            {
                agencies.Add((clientId, await AgencySettings.ReadAsync(applications, application, cancellationToken)));
            }
        }

        return agencies;
    }

    // The configured issuer; in Development without one, the request's own base URL (as OpenIddict does),
    // or, with no request (an expiry), this server's first address.
    private string Issuer(HttpContext? httpContext)
    {
        if (options.Value.IssuerUri is { } configured)
        {
            return configured.AbsoluteUri;
        }

        if (httpContext is not null)
        {
            return $"{httpContext.Request.Scheme}://{httpContext.Request.Host}{httpContext.Request.PathBase}/";
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5000";
        return address.EndsWith('/') ? address : address + "/";
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}

/// <summary>Wakes this node's dispatcher at once when a logout was queued here (others find it by polling).</summary>
public sealed class LogoutDispatchSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Wake()
    {
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // already awake
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _semaphore.Dispose();
}
