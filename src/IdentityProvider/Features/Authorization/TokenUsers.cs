using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using OnePass.IdentityProvider.Data;
using OpenIddict.Abstractions;

namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>
/// Finds the citizen behind a code, refresh or access token. Tokens carry only the pairwise <c>sub</c>;
/// the user id is the subject of the OpenIddict authorization every user token is attached to.
/// </summary>
public sealed class TokenUsers(
    IOpenIddictAuthorizationManager authorizations,
    UserManager<OnePassUser> users,
    SignInManager<OnePassUser> signIns)
{
    /// <summary>The user, or null when the token has no user, the user is gone, or may no longer sign in.</summary>
    public async Task<OnePassUser?> FindActiveAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        var authorizationId = principal.GetAuthorizationId();
        if (authorizationId is null ||
            await authorizations.FindByIdAsync(authorizationId, cancellationToken) is not { } authorization ||
            await authorizations.GetSubjectAsync(authorization, cancellationToken) is not { } userId)
        {
            return null;
        }

        // Only user grants have a user id as subject (a client_credentials token's subject is a client id).
        var user = Guid.TryParse(userId, out _) ? await users.FindByIdAsync(userId) : null;
        // A temporary lockout from failed passwords must not end existing sessions (CATALOGUE AT-21);
        // an administrator's disable (lockout without end) does.
        if (user is null || !await signIns.CanSignInAsync(user) || IsDisabled(user))
        {
            return null;
        }

        return user;
    }

    // Neither store keeps DateTimeOffset.MaxValue exactly (SQLite binary ticks: 0.1 ms; PostgreSQL: 1 µs),
    // so a disable does not read back as MaxValue: anything in the last year of the calendar counts as "disabled" (CATALOGUE IN-UI-03).
    public static readonly DateTimeOffset DisabledAfter = DateTimeOffset.MaxValue.AddYears(-1);

    /// <summary>An administrator disabled the account (a lockout without end, unlike one from failed attempts).</summary>
    public static bool IsDisabled(OnePassUser user) =>
        user.LockoutEnd is { } end && end > DisabledAfter;
}
