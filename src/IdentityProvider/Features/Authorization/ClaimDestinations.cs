using OpenIddict.Abstractions;
using System.Security.Claims;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>
/// The one place that decides which claim goes into which token. Profile and e-mail claims go to the
/// ID token only (userinfo reads them fresh from the database), so access tokens carry no personal data
/// beyond the pairwise <c>sub</c>; they go there for <c>profile</c>/<c>email</c>, or when a granted custom
/// scope releases them (the <c>released</c> set, from <see cref="ScopeClaims"/>). Claims not listed here go nowhere.
/// </summary>
public static class ClaimDestinations
{
    public static IEnumerable<string> For(Claim claim, ClaimsPrincipal principal, IReadOnlySet<string>? released = null)
    {
        switch (claim.Type)
        {
            case Claims.Subject:
            case SessionClaims.SessionId:
                yield return Destinations.AccessToken;
                yield return Destinations.IdentityToken;
                break;

            case SessionClaims.AuthTime:
            case SessionClaims.Acr:
            case SessionClaims.Amr:
                yield return Destinations.IdentityToken;
                break;

            case Claims.Name or Claims.PreferredUsername when principal.HasScope(Scopes.Profile) || released?.Contains(claim.Type) == true:
                yield return Destinations.IdentityToken;
                break;

            case Claims.Email or Claims.EmailVerified when principal.HasScope(Scopes.Email) || released?.Contains(claim.Type) == true:
                yield return Destinations.IdentityToken;
                break;

            case Claims.Role:
                // Roles drive authorization decisions at OnePass's own APIs; access tokens are encrypted.
                yield return Destinations.AccessToken;
                // The admin console (the only client granted onepass.admin) shows or refuses its pages by role.
                if (principal.HasScope(AdminApi.AdminApiServiceCollectionExtensions.Scope))
                {
                    yield return Destinations.IdentityToken;
                }

                break;

            case Claims.ClientId:
                yield return Destinations.AccessToken;
                break;
        }
    }

    public static ClaimsIdentity Apply(ClaimsIdentity identity, IReadOnlySet<string>? released = null)
    {
        var principal = new ClaimsPrincipal(identity);
        identity.SetDestinations(claim => For(claim, principal, released));
        return identity;
    }
}
