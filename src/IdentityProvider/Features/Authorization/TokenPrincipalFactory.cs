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
public sealed class TokenPrincipalFactory(UserManager<OnePassUser> users, SubjectIdentifiers subjects)
{
    public async Task<ClaimsIdentity> CreateAsync(
        OnePassUser user, SessionInfo session, AgencySettings agency, ImmutableArray<string> scopes)
    {
        var identity = new ClaimsIdentity(
            authenticationType: TokenValidationParameters.DefaultAuthenticationType,
            nameType: Claims.Name,
            roleType: Claims.Role);

        identity.SetClaim(Claims.Subject, subjects.For(user.Id, agency))
            .SetClaim(SessionClaims.SessionId, session.SessionId)
            .SetClaim(SessionClaims.AuthTime, session.AuthTime.ToUnixTimeSeconds())
            .SetClaim(SessionClaims.Acr, session.Acr)
            // amr is always a JSON array (OIDC Core §2), even with one value.
            .SetClaims(SessionClaims.Amr, new System.Text.Json.Nodes.JsonArray([.. session.Amr.Select(method => System.Text.Json.Nodes.JsonValue.Create(method))]))
            .SetClaim(Claims.Name, user.DisplayName ?? user.UserName)
            .SetClaim(Claims.PreferredUsername, user.UserName)
            .SetClaim(Claims.Email, user.Email)
            .SetClaim(Claims.EmailVerified, user.Email is null ? null : user.EmailConfirmed)
            .SetClaims(Claims.Role, [.. await users.GetRolesAsync(user)]);

        identity.SetScopes(scopes);
        return ClaimDestinations.Apply(identity);
    }
}
