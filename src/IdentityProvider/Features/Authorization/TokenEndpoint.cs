using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;
using OnePass.IdentityProvider.Features.Sessions;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>
/// The token endpoint (passthrough). OpenIddict has authenticated the client and validated the code or
/// refresh token (PKCE, redirect URI, single use, rotation with no reuse leeway: a replayed refresh
/// token revokes its family, RFC 9700 §4.14; concurrent uses are settled by RedeemTokenOnce).
/// Here OnePass checks the citizen may still sign in and refreshes the claims from the database.
/// </summary>
public static class TokenEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext context)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        if (request.IsClientCredentialsGrantType())
        {
            // A machine client acts for itself: no user, so no ID token (CATALOGUE IN-TK-13),
            // nor a refresh token: it can ask again with its credentials (RFC 6749 §4.4.3).
            if (request.HasScope(Scopes.OpenId) || request.HasScope(Scopes.OfflineAccess))
            {
                return Forbid(Errors.InvalidScope, "The 'openid' and 'offline_access' scopes cannot be used with the client_credentials grant.");
            }

            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, request.ClientId)
                .SetClaim(Claims.ClientId, request.ClientId);
            identity.SetScopes(request.GetScopes());
            ClaimDestinations.Apply(identity);
            return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            // Resolved here, not as parameters: a client_credentials request needs none of them, and
            // building the user manager and its company on every machine token showed in the profile.
            var services = context.RequestServices;
            var applications = services.GetRequiredService<IOpenIddictApplicationManager>();
            var tokenUsers = services.GetRequiredService<TokenUsers>();
            var principals = services.GetRequiredService<TokenPrincipalFactory>();
            var sessions = services.GetRequiredService<SsoSessionStore>();
            var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var principal = result.Principal;
            var user = principal is null ? null : await tokenUsers.FindActiveAsync(principal, context.RequestAborted);
            var session = principal is null ? null : SessionInfo.From(principal);
            if (principal is null || user is null || session is null)
            {
                return Forbid(Errors.InvalidGrant, "The token is no longer valid.");
            }

            // A password change (new security stamp) ends every grant made before it (CATALOGUE AT-07).
            if (principal.GetClaim(SessionClaims.SecurityStampDigest) != TokenPrincipalFactory.SecurityStampDigest(user))
            {
                return Forbid(Errors.InvalidGrant, "The token was issued before the user's credentials changed.");
            }

            // Without offline_access a grant lives only as long as the sign-in session it came from;
            // offline_access grants survive sign-out by design (docs/architecture.md, "Sessions").
            if (!principal.HasScope(Scopes.OfflineAccess) &&
                await sessions.FindLiveAsync(session.SessionId, context.RequestAborted) is null)
            {
                return Forbid(Errors.InvalidGrant, "The sign-in session this token belongs to has ended.");
            }

            var application = await applications.FindByClientIdAsync(request.ClientId!)
                ?? throw new InvalidOperationException("The client application cannot be found.");
            var agency = await AgencySettings.ReadAsync(applications, application, context.RequestAborted);

            // Same session facts and scopes as granted; names and e-mail as they are now.
            var identity = await principals.CreateAsync(user, session, agency, request.ClientId!, principal.GetScopes());
            identity.SetAuthorizationId(principal.GetAuthorizationId());
            return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        return Forbid(Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    private static IResult Forbid(string error, string description) =>
        Results.Forbid(PassthroughHelpers.ErrorProperties(error, description), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
