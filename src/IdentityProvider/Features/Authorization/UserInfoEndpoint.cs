using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>
/// The userinfo endpoint (passthrough; GET, POST with header, POST with form body — OIDC Core §5.3).
/// OpenIddict has validated the access token and its token entry; claims are read fresh from the
/// database and released per scope, with the same <c>sub</c> the agency saw in its ID token.
/// </summary>
public static class UserInfoEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext context, TokenUsers tokenUsers, ScopeClaims scopeClaims)
    {
        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var principal = result.Principal;
        var user = principal is null ? null : await tokenUsers.FindActiveAsync(principal, context.RequestAborted);
        if (principal is null || user is null)
        {
            // The account is gone or disabled since the token was issued (CATALOGUE IN-UI-03): 401, not 500.
            return Results.Challenge(
                PassthroughHelpers.ErrorProperties(Errors.InvalidToken, "The access token is no longer valid."),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var claims = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [Claims.Subject] = principal.GetClaim(Claims.Subject),
        };

        // A granted custom scope releases the claims its definition lists now (ClaimDestinations' rule).
        var released = await scopeClaims.ReleasedByAsync(principal.GetScopes(), context.RequestAborted);
        bool Releases(string claim, string scope) => principal.HasScope(scope) || released.Contains(claim);

        if (Releases(Claims.Name, Scopes.Profile))
        {
            claims[Claims.Name] = user.DisplayName ?? user.UserName;
        }

        if (Releases(Claims.PreferredUsername, Scopes.Profile))
        {
            claims[Claims.PreferredUsername] = user.UserName;
        }

        if (Releases(Claims.Email, Scopes.Email) && user.Email is not null)
        {
            claims[Claims.Email] = user.Email;
        }

        if (Releases(Claims.EmailVerified, Scopes.Email) && user.Email is not null)
        {
            claims[Claims.EmailVerified] = user.EmailConfirmed;
        }

        return Results.Ok(claims);
    }
}
