using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Infrastructure;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.Sessions;

/// <summary>
/// The SSO session store behind the sign-in cookie (<see cref="ITicketStore"/>): the cookie carries only
/// <c>{session id}.{secret}</c>, protected by Data Protection; the ticket and what OnePass knows about the
/// session live in <see cref="ISessionStorage"/> (Redis or the process, same rules). Here are the rules:
/// idle timeout and absolute lifetime, a new key and cookie secret at every authentication, and single logout
/// whenever a session ends — signed out, ended from the account page or by an administrator, or expired.
/// </summary>
public sealed class SsoSessionStore(
    ISessionStorage storage,
    SingleLogout singleLogout,
    IDataProtectionProvider dataProtection,
    IOptions<OnePassOptions> options,
    TimeProvider time,
    ILogger<SsoSessionStore> logger) : ITicketStore
{
    private const int MaxUserAgentLength = 256;
    private const string LoadedSessionItem = "OnePass.LoadedSession";

    private readonly IDataProtector _protector = dataProtection.CreateProtector("OnePass.Sessions.Ticket.v1");
    private readonly SessionOptions _options = options.Value.Sessions;

    // --- ITicketStore (called by the cookie handler) ---------------------------------------------

    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, null!, CancellationToken.None);

    public Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken) => StoreAsync(ticket, null!, cancellationToken);

    /// <summary>
    /// A new authentication: stores the ticket under the session id it names (new, or the key the same
    /// user's current session was just moved to by <see cref="SessionSignIn"/>) with a new cookie secret.
    /// </summary>
    public async Task<string> StoreAsync(AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var info = SessionInfo.From(ticket.Principal)
            ?? throw new InvalidOperationException("A sign-in without session claims cannot be stored.");
        var userId = Guid.Parse(ticket.Principal.FindFirstValue(Claims.Subject)
            ?? throw new InvalidOperationException("A sign-in without a user id cannot be stored."));

        var existing = await storage.FindAsync(info.SessionId, cancellationToken);
        if (existing is not null && existing.UserId != userId)
        {
            throw new InvalidOperationException("A session id was reused for another user.");
        }

        var now = time.GetUtcNow();
        var secret = RandomNumberGenerator.GetBytes(24);
        var session = new SessionRecord
        {
            Id = info.SessionId,
            Sid = existing?.Sid ?? info.Sid,
            UserId = userId,
            SecretHash = SHA256.HashData(secret),
            Ticket = Protect(ticket),
            CreatedAt = existing?.CreatedAt ?? now,
            LastSeenAt = now,
            ExpiresAt = now + _options.AbsoluteLifetime,
        };
        Describe(session, httpContext);
        await storage.SaveAsync(session, session.Deadline(_options.IdleTimeout), cancellationToken);
        return $"{session.Id}.{Base64Url.EncodeToString(secret)}";
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, null!, CancellationToken.None);

    public Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken) => RenewAsync(key, ticket, null!, cancellationToken);

    /// <summary>The same authentication, re-issued (Identity's security stamp check): the ticket is replaced, nothing else.</summary>
    public async Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (await FindByKeyAsync(key, cancellationToken) is not { } session)
        {
            return;
        }

        if (SessionInfo.From(ticket.Principal)?.SessionId != session.Id)
        {
            // The cookie handler renews the session a request came with when a sign-in happens in that
            // request (aspnetcore #47503): that would be session fixation. SessionSignIn prevents it;
            // should anything else try, the session is left alone.
            logger.LogWarning("Refused to store another authentication under session {SessionId}.", session.Id);
            return;
        }

        session.Ticket = Protect(ticket);
        await storage.UpdateAsync(session, session.Deadline(_options.IdleTimeout), cancellationToken);
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, null!, CancellationToken.None);

    public Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken) => RetrieveAsync(key, null!, cancellationToken);

    /// <summary>Every request with the cookie: the session must exist, match the secret and be neither idle nor too old.</summary>
    public async Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (await FindByKeyAsync(key, cancellationToken) is not { } session)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (now >= session.Deadline(_options.IdleTimeout))
        {
            await EndAsync(session.Id, SessionEndReason.Expired, httpContext, cancellationToken);
            return null;
        }

        if (now - session.LastSeenAt >= _options.TouchInterval)
        {
            // Only "last seen" moves: device and IP are those of the sign-in that started the session.
            session.LastSeenAt = now;
            await storage.TouchAsync(session, session.Deadline(_options.IdleTimeout), cancellationToken);
        }

        // Kept for this request: issuing a code records the agency without reading the session again.
        if (httpContext is not null)
        {
            httpContext.Items[LoadedSessionItem] = session;
        }
        return Unprotect(session.Ticket);
    }

    public Task RemoveAsync(string key) => RemoveAsync(key, null!, CancellationToken.None);

    public Task RemoveAsync(string key, CancellationToken cancellationToken) => RemoveAsync(key, null!, cancellationToken);

    /// <summary>The citizen signs out: the session ends and its agencies are told.</summary>
    public async Task RemoveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (await FindByKeyAsync(key, cancellationToken) is { } session)
        {
            await EndAsync(session.Id, SessionEndReason.SignedOut, httpContext, cancellationToken);
        }
    }

    // --- OnePass's own use --------------------------------------------------------------------------

    /// <summary>
    /// The live session whose stable identity (<see cref="SessionRecord.Sid"/>, what codes and refresh
    /// tokens are bound to) is <paramref name="sessionId"/>, whatever key it has moved to; or null (ended, expired or unknown).
    /// </summary>
    public async Task<SessionRecord?> FindLiveAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        if (!IsSessionId(sessionId))
        {
            return null;
        }

        var session = await storage.FindBySidAsync(sessionId, cancellationToken);
        return session is not null && time.GetUtcNow() < session.Deadline(_options.IdleTimeout) ? session : null;
    }

    /// <summary>The user's live sessions, newest first (the "where you're signed in" list).</summary>
    public async Task<IReadOnlyList<SessionRecord>> ListForUserAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var sessions = await storage.ListForUserAsync(userId, cancellationToken);
        return [.. sessions.Where(session => now < session.Deadline(_options.IdleTimeout)).OrderByDescending(session => session.LastSeenAt)];
    }

    /// <summary>Records that the session signed the citizen into an agency, which single logout will then notify.</summary>
    public async Task AddAgencyAsync(string sessionId, string clientId, HttpContext? httpContext = null, CancellationToken cancellationToken = default)
    {
        var session = httpContext?.Items[LoadedSessionItem] is SessionRecord loaded && loaded.Id == sessionId
            ? loaded
            : await storage.FindAsync(sessionId, cancellationToken);
        if (session is not null && !session.Agencies.Contains(clientId))
        {
            await storage.AddAgencyAsync(session, clientId, cancellationToken);
        }
    }

    /// <summary>
    /// The citizen disconnected an agency: it leaves every live session of the user that signed into it,
    /// and single logout tells it (one back-channel logout per such session, or one for the citizen).
    /// </summary>
    /// <remarks>Takes no cancellation token: half a disconnect is worse than a slow one.</remarks>
    public async Task DisconnectAgencyAsync(Guid userId, string clientId, HttpContext? httpContext)
    {
        var containing = new List<SessionRecord>();
        foreach (var session in await ListForUserAsync(userId, CancellationToken.None))
        {
            if (session.Agencies.Contains(clientId))
            {
                await storage.RemoveAgencyAsync(session, clientId, CancellationToken.None);
                containing.Add(session);
            }
        }

        await singleLogout.AgencyDisconnectedAsync(userId, clientId, containing, httpContext);
    }

    /// <summary>Ends a session and notifies its agencies; false when it had already ended.</summary>
    public async Task<bool> EndAsync(string sessionId, SessionEndReason reason, HttpContext? httpContext = null, CancellationToken cancellationToken = default)
    {
        // Cancellable only until the session is taken: then its agencies must be told even if the caller has gone.
        cancellationToken.ThrowIfCancellationRequested();
        if (!IsSessionId(sessionId) || await storage.TakeAsync(sessionId, CancellationToken.None) is not { } session)
        {
            return false;
        }

        logger.LogInformation("Session {SessionId} of user {UserId} ended: {Reason}.", session.Id, session.UserId, reason);
        await singleLogout.SessionEndedAsync(session, reason, httpContext);
        return true;
    }

    /// <summary>Ends every session of a user except, optionally, one ("sign out everywhere else").</summary>
    public async Task<int> EndAllForUserAsync(Guid userId, SessionEndReason reason, string? except = null, CancellationToken cancellationToken = default)
    {
        var ended = 0;
        foreach (var session in await storage.ListForUserAsync(userId, cancellationToken))
        {
            if (session.Id != except && await EndAsync(session.Id, reason, null, cancellationToken))
            {
                ended++;
            }
        }

        return ended;
    }

    /// <summary>Ends the sessions whose idle or absolute deadline has passed (run by <see cref="SessionExpirySweeper"/>).</summary>
    public async Task<int> EndExpiredAsync(CancellationToken cancellationToken)
    {
        var ended = 0;
        foreach (var id in await storage.DueAsync(time.GetUtcNow(), 200, cancellationToken))
        {
            // A touch may have moved the deadline since it was listed: look again before ending it.
            var session = await storage.FindAsync(id, cancellationToken);
            if ((session is null || time.GetUtcNow() >= session.Deadline(_options.IdleTimeout)) &&
                await EndAsync(id, SessionEndReason.Expired, null, cancellationToken))
            {
                ended++;
            }
        }

        return ended;
    }

    /// <summary>
    /// The same user is authenticating again: the session moves, atomically, to the new key
    /// <paramref name="newSessionId"/> with its agencies, per-user index entry and stable identity, and no
    /// cookie secret yet (the sign-in then stores the new ticket and secret there). The old key and every
    /// cookie naming it are dead (CATALOGUE AT-16). Returns the session's stable identity, or null when it
    /// had ended (the sign-in then starts a new session).
    /// </summary>
    public async Task<string?> MoveToNewIdAsync(string sessionId, string newSessionId, CancellationToken cancellationToken)
    {
        if (!IsSessionId(sessionId) || !IsSessionId(newSessionId) || await storage.FindAsync(sessionId, cancellationToken) is not { } session)
        {
            return null;
        }

        var moved = session.CopyAs(newSessionId, session.Sid);
        moved.SecretHash = []; // no cookie may use it until the sign-in stores the new secret
        return await storage.MoveAsync(sessionId, moved, moved.Deadline(_options.IdleTimeout), cancellationToken) ? session.Sid : null;
    }

    /// <summary>The session a cookie key names, when the key's secret matches; never throws on a malformed key.</summary>
    public async Task<SessionRecord?> FindByKeyAsync(string key, CancellationToken cancellationToken)
    {
        // Both parts must be base64url: the decoder throws on other characters, and an id with a ':' would
        // name another of the session's Redis keys (session:{id}:agencies).
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !IsSessionId(key[..dot]) || key.Length - dot > 64 || !Base64Url.IsValid(key.AsSpan(dot + 1)))
        {
            return null;
        }

        var secret = new byte[48];
        if (!Base64Url.TryDecodeFromChars(key.AsSpan(dot + 1), secret, out var length) || length == 0)
        {
            return null;
        }

        var session = await storage.FindAsync(key[..dot], cancellationToken);
        return session is not null && session.SecretHash.Length == 32 &&
            CryptographicOperations.FixedTimeEquals(session.SecretHash, SHA256.HashData(secret.AsSpan(0, length)))
            ? session
            : null;
    }

    /// <summary>
    /// Session ids are base64url and short: anything else (from a cookie, a form or an admin call) is
    /// unknown — never passed to storage, where a ':' would name another key.
    /// </summary>
    public static bool IsSessionId(string? id) => id is { Length: > 0 and <= 64 } && Base64Url.IsValid(id);

    public AuthenticationTicket? Unprotect(byte[] protectedTicket)
    {
        try
        {
            return TicketSerializer.Default.Deserialize(_protector.Unprotect(protectedTicket));
        }
        catch (CryptographicException exception)
        {
            // A key ring that lost the session's key: the citizen is simply signed out (CATALOGUE FT-03).
            logger.LogWarning(exception, "A session ticket could not be decrypted.");
            return null;
        }
    }

    private byte[] Protect(AuthenticationTicket ticket) => _protector.Protect(TicketSerializer.Default.Serialize(ticket));

    private static void Describe(SessionRecord session, HttpContext? httpContext)
    {
        if (httpContext is null)
        {
            return;
        }

        var userAgent = httpContext.Request.Headers.UserAgent.ToString();
        session.UserAgent = userAgent.Length > MaxUserAgentLength ? userAgent[..MaxUserAgentLength] : userAgent;
        session.IpAddress = httpContext.Connection.RemoteIpAddress?.ToString();
    }
}

public enum SessionEndReason
{
    SignedOut,
    EndedByUser,
    EndedByAdministrator,
    Expired,

    /// <summary>The citizen said a sign-in in their activity "wasn't me": every session ends.</summary>
    ReportedByUser,
}
