using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;

namespace OnePass.IdentityProvider.Features.Sessions;

/// <summary>
/// Starts an SSO session after a successful authentication, without session fixation (CATALOGUE AT-16):
/// whatever cookie the browser came with, the session is stored under a new key with a new cookie secret,
/// and the old cookie value and old key are dead. The same user authenticating again (<c>prompt=login</c>,
/// <c>max_age</c>, step-up) keeps the session — its agencies, their <c>sid</c> (derived from the session's
/// stable identity) and its place in the per-user index — moved to the new key; anyone else gets a new
/// session and the old one ends (single logout).
/// </summary>
public sealed class SessionSignIn(
    SignInManager<OnePassUser> signIns,
    SsoSessionStore sessions,
    IServiceScopeFactory scopes,
    TimeProvider time)
{
    /// <summary>The session cookie currently presented, if it is valid: its user and session facts.</summary>
    public static async Task<(Guid UserId, SessionInfo Session)?> CurrentAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        return result.Succeeded && SessionInfo.From(result.Principal) is { } session && SessionInfo.UserIdOf(result.Principal) is { } userId
            ? (userId, session)
            : null;
    }

    /// <summary>Signs the user in with the given authentication facts; returns the session now in force.</summary>
    public async Task<SessionInfo> SignInAsync(HttpContext context, OnePassUser user, string acr, IReadOnlyList<string> amr)
    {
        var current = await CurrentAsync(context);
        var newId = NewSessionId();
        var sid = newId;
        if (current is { } c && c.UserId == user.Id &&
            await sessions.MoveToNewIdAsync(c.Session.SessionId, newId, context.RequestAborted) is { } kept)
        {
            // Same user: the session continues under the new key; the old key and cookie value are dead.
            sid = kept;
        }

        var session = new SessionInfo(SessionId: newId, AuthTime: time.GetUtcNow(), Acr: acr, Amr: amr) { Sid = sid };

        // Deletes the old cookie; for another user's session, ends it (single logout).
        await signIns.SignOutAsync();

        var principal = await signIns.CreateUserPrincipalAsync(user);
        ((ClaimsIdentity)principal.Identity!).AddClaims(session.ToClaims());

        // The cookie handler of this request has already read the old cookie and would store the new
        // ticket under the old key (aspnetcore #47503). A handler of a fresh scope has not, and the old
        // key no longer resolves, so it stores a new session under a new key.
        await using var scope = scopes.CreateAsyncScope();
        var handlers = scope.ServiceProvider.GetRequiredService<IAuthenticationHandlerProvider>();
        var handler = await handlers.GetHandlerAsync(context, IdentityConstants.ApplicationScheme) as IAuthenticationSignInHandler
            ?? throw new InvalidOperationException("The sign-in scheme cannot sign in.");
        await handler.SignInAsync(principal, new AuthenticationProperties { IsPersistent = false });
        context.User = principal;
        return session;
    }

    public static string NewSessionId() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
}
