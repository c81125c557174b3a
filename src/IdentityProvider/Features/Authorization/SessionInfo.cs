using System.Globalization;
using System.Security.Claims;
using OpenIddict.Abstractions;

namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>
/// What an SSO session says about how the citizen authenticated. <see cref="SessionId"/> is the session's
/// storage key, new at every authentication (CATALOGUE AT-16); <see cref="Sid"/> is the session's stable
/// identity, from which agencies' <c>sid</c> is derived and to which codes and refresh tokens are bound.
/// </summary>
public sealed record SessionInfo(string SessionId, DateTimeOffset AuthTime, string Acr, IReadOnlyList<string> Amr)
{
    /// <summary>The session's stable identity: its first storage key, kept across re-authentication.</summary>
    public string Sid { get => field ?? SessionId; init; }

    /// <summary>How recent the last authentication must be for changes to the sign-in methods.</summary>
    public static readonly TimeSpan RecentAuthentication = TimeSpan.FromMinutes(5);

    /// <summary>True when the citizen authenticated within <see cref="RecentAuthentication"/>.</summary>
    public bool IsRecent(DateTimeOffset now) => now - AuthTime <= RecentAuthentication;

    /// <summary>The signed-in principal's session authenticated recently enough for a change to the account.</summary>
    public static bool IsRecentSignIn(ClaimsPrincipal principal, DateTimeOffset now) => From(principal)?.IsRecent(now) == true;

    /// <summary>The user id of a signed-in principal (the session ticket's <c>sub</c>), or null.</summary>
    public static Guid? UserIdOf(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.GetClaim(OpenIddictConstants.Claims.Subject), out var id) ? id : null;

    /// <summary>Reads the session claims from the session ticket or from a code's or refresh token's principal.</summary>
    public static SessionInfo? From(ClaimsPrincipal principal)
    {
        var sid = principal.GetClaim(SessionClaims.OnePassSessionId);
        var authTime = principal.GetClaim(SessionClaims.AuthTime);
        var acr = principal.GetClaim(SessionClaims.Acr);
        if (sid is null || acr is null ||
            !long.TryParse(authTime, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return null;
        }

        return new SessionInfo(sid, DateTimeOffset.FromUnixTimeSeconds(seconds), acr, [.. principal.GetClaims(SessionClaims.Amr)])
        {
            Sid = principal.GetClaim(SessionClaims.OnePassStableSessionId) ?? sid,
        };
    }

    /// <summary>The claims to put in the sign-in cookie.</summary>
    public IEnumerable<Claim> ToClaims()
    {
        yield return new Claim(SessionClaims.OnePassSessionId, SessionId);
        if (Sid != SessionId)
        {
            yield return new Claim(SessionClaims.OnePassStableSessionId, Sid);
        }

        yield return new Claim(SessionClaims.AuthTime, AuthTime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64);
        yield return new Claim(SessionClaims.Acr, Acr);
        foreach (var method in Amr)
        {
            yield return new Claim(SessionClaims.Amr, method);
        }
    }
}
