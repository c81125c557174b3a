using System.Globalization;
using System.Security.Claims;
using OpenIddict.Abstractions;

namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>What an SSO session says about how the citizen authenticated.</summary>
public sealed record SessionInfo(string SessionId, DateTimeOffset AuthTime, string Acr, IReadOnlyList<string> Amr)
{
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

        return new SessionInfo(sid, DateTimeOffset.FromUnixTimeSeconds(seconds), acr, [.. principal.GetClaims(SessionClaims.Amr)]);
    }

    /// <summary>The claims to put in the sign-in cookie.</summary>
    public IEnumerable<Claim> ToClaims()
    {
        yield return new Claim(SessionClaims.OnePassSessionId, SessionId);
        yield return new Claim(SessionClaims.AuthTime, AuthTime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64);
        yield return new Claim(SessionClaims.Acr, Acr);
        foreach (var method in Amr)
        {
            yield return new Claim(SessionClaims.Amr, method);
        }
    }
}
