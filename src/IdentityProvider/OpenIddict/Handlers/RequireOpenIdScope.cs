using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// OnePass is an OpenID Connect provider only: an authorization request without the <c>openid</c>
/// scope is refused with <c>invalid_scope</c> at the client's (already validated) redirect URI
/// (OIDC Core §3.1.2.1, CATALOGUE IN-AZ-06).
/// </summary>
public sealed class RequireOpenIdScope : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseSingletonHandler<RequireOpenIdScope>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateClientRedirectUri.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        if (!context.Request.HasScope(Scopes.OpenId))
        {
            context.Reject(Errors.InvalidScope, "The 'openid' scope is required: OnePass only serves OpenID Connect requests.");
        }

        return ValueTask.CompletedTask;
    }
}
