using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// A refresh request asking for more than was granted is an <c>invalid_scope</c> error (RFC 6749 §5.2:
/// "exceeds the scope granted by the resource owner"; §6), not OpenIddict's <c>invalid_grant</c>
/// (CATALOGUE IN-TK-12). Runs just before OpenIddict's own check, which stays as a backstop.
/// </summary>
public sealed class RejectWiderRefreshScope : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<RejectWiderRefreshScope>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateGrantedScopes.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.IsRefreshTokenGrantType() && context.RefreshTokenPrincipal is { } principal &&
            !string.IsNullOrEmpty(context.Request.Scope) &&
            !new HashSet<string>(principal.GetScopes(), StringComparer.Ordinal).IsSupersetOf(context.Request.GetScopes()))
        {
            context.Reject(Errors.InvalidScope, "The requested scope exceeds the scope originally granted.");
        }

        return ValueTask.CompletedTask;
    }
}
