using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// Introspection and revocation only for tokens issued to the calling agency (RFC 7662 §4, RFC 7009
/// §2.1, CONTRACT §5, CATALOGUE IN-IS-01/IN-RV-01). OpenIddict refuses a caller only when the token
/// lists audiences <em>and</em> presenters; OnePass access tokens carry no audience, so without this
/// any agency could read or revoke another agency's tokens. The rejection is <c>invalid_token</c>,
/// which OpenIddict turns into <c>{"active":false}</c> and an empty 200 respectively.
/// </summary>
public sealed class RejectForeignTokens :
    IOpenIddictServerHandler<ValidateIntrospectionRequestContext>,
    IOpenIddictServerHandler<ValidateRevocationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor IntrospectionDescriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateIntrospectionRequestContext>()
            .UseSingletonHandler<RejectForeignTokens>()
            .SetOrder(OpenIddictServerHandlers.Introspection.ValidateAuthorizedParty.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public static OpenIddictServerHandlerDescriptor RevocationDescriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateRevocationRequestContext>()
            .UseSingletonHandler<RejectForeignTokens>()
            .SetOrder(OpenIddictServerHandlers.Revocation.ValidateAuthorizedParty.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateIntrospectionRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (IsForeign(context.GenericTokenPrincipal, context.ClientId))
        {
            context.Reject(Errors.InvalidToken, "The token was not issued to this client.");
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(ValidateRevocationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (IsForeign(context.GenericTokenPrincipal, context.ClientId))
        {
            context.Reject(Errors.InvalidToken, "The token was not issued to this client.");
        }

        return ValueTask.CompletedTask;
    }

    private static bool IsForeign(System.Security.Claims.ClaimsPrincipal? principal, string? clientId) =>
        principal is not null &&
        (string.IsNullOrEmpty(clientId) || (!principal.HasPresenter(clientId) && !principal.HasAudience(clientId)));
}
