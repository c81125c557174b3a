using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// A scope that exists but is not assigned to this agency is an <c>invalid_scope</c> error (RFC 6749
/// §4.1.2.1, CATALOGUE IN-AZ-06); OpenIddict's own permission check answers <c>invalid_request</c>.
/// Runs just before that check, with the same rule: protocol scopes (<c>openid</c>, <c>offline_access</c>)
/// are not permissions.
/// </summary>
public sealed class RejectScopesNotGrantedToAgency(IOpenIddictApplicationManager applications)
    : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseScopedHandler<RejectScopesNotGrantedToAgency>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateScopePermissions.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        if (string.IsNullOrEmpty(context.ClientId) || await applications.FindByClientIdAsync(context.ClientId) is not { } application)
        {
            return;
        }

        foreach (var scope in context.Request.GetScopes())
        {
            if (scope is not Scopes.OpenId and not Scopes.OfflineAccess &&
                !await applications.HasPermissionAsync(application, Permissions.Prefixes.Scope + scope))
            {
                context.Reject(Errors.InvalidScope, $"This agency may not ask for the '{scope}' scope.");
                return;
            }
        }
    }
}
