using OpenIddict.Abstractions;
using System.Collections.Immutable;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;
using OnePass.IdentityProvider.Data;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>Builds the identity OpenIddict turns into codes and tokens for one citizen and one agency.</summary>
public sealed class TokenPrincipalFactory(UserManager<OnePassUser> users, SubjectIdentifiers subjects, ScopeClaims scopeClaims)
{
    public async Task<ClaimsIdentity> CreateAsync(
        OnePassUser user, SessionInfo session, AgencySettings agency, string clientId, ImmutableArray<string> scopes)
    {
        var roles = await users.GetRolesAsync(user);
        var identity = new ClaimsIdentity(
            authenticationType: TokenValidationParameters.DefaultAuthenticationType,
            nameType: Claims.Name,
            roleType: Claims.Role);

        identity.SetClaim(Claims.Subject, subjects.For(user.Id, agency))
            .SetClaim(SessionClaims.SessionId, subjects.SessionIdFor(session.Sid, clientId))
            // Private (no destination): kept in codes and refresh tokens only, to bind them to the
            // session (its stable identity, which survives re-authentication) and to the password (see TokenEndpoint).
            .SetClaim(SessionClaims.OnePassSessionId, session.Sid)
            .SetClaim(SessionClaims.SecurityStampDigest, SecurityStampDigest(user))
            .SetClaim(SessionClaims.AuthTime, session.AuthTime.ToUnixTimeSeconds())
            .SetClaim(SessionClaims.Acr, session.Acr)
            // amr is always a JSON array (OIDC Core §2), even with one value.
            .SetClaims(SessionClaims.Amr, new System.Text.Json.Nodes.JsonArray([.. session.Amr.Select(method => System.Text.Json.Nodes.JsonValue.Create(method))]))
            .SetClaim(Claims.Name, user.DisplayName ?? user.UserName)
            .SetClaim(Claims.PreferredUsername, user.UserName)
            .SetClaim(Claims.Email, user.Email)
            .SetClaim(Claims.EmailVerified, user.Email is null ? null : user.EmailConfirmed)
            .SetClaims(Claims.Role, [.. roles]);

        // The admin scope is granted to administrators only, whatever a client may ask (issue 5).
        if (!roles.Contains(AdminApi.AdminApiServiceCollectionExtensions.Role))
        {
            scopes = scopes.Remove(AdminApi.AdminApiServiceCollectionExtensions.Scope);
        }

        identity.SetScopes(scopes);
        // Custom scopes release the claims their current definition lists (read from the database).
        return ClaimDestinations.Apply(identity, await scopeClaims.ReleasedByAsync(scopes));
    }

    /// <summary>A short digest of the security stamp, which Identity changes with the password.</summary>
    public static string SecurityStampDigest(OnePassUser user) =>
        Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(user.SecurityStamp ?? string.Empty)).AsSpan(0, 12));
}
