using OnePass.IdentityProvider.Features.Agencies;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// An access token issued to a machine client (<c>client_credentials</c>) gets no row in the token table.
/// It stands for the agency itself, not a citizen: no sign-out, consent or password change ends it early,
/// so a row would only let one token be revoked within its lifetime (10 minutes by default), at the price
/// of one INSERT per token and a table growing with every backend call (one agency asking every minute
/// from 20 servers adds 10 million rows a year). The token is a signed, encrypted JWT checked by
/// signature and expiry, as Keycloak and Duende treat these tokens; tokens issued for citizens keep their
/// rows, which sign-out, "this wasn't me" and consent revocation revoke (docs/architecture.md).
/// Without a token id OpenIddict skips the token-entry check, and revocation answers
/// <c>unsupported_token_type</c> (RFC 7009 §2.2.1). Disabling an agency stamps a time before which its
/// machine tokens introspect inactive, so enabling it again revives none of them.
/// </summary>
public sealed class StatelessMachineAccessTokens(IOpenIddictApplicationManager applications) :
    IOpenIddictServerHandler<GenerateTokenContext>,
    IOpenIddictServerHandler<ValidateIntrospectionRequestContext>
{
    public static OpenIddictServerHandlerDescriptor GenerationDescriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
            .UseScopedHandler<StatelessMachineAccessTokens>()
            .SetOrder(OpenIddictServerHandlers.Protection.CreateTokenEntry.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public static OpenIddictServerHandlerDescriptor IntrospectionDescriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateIntrospectionRequestContext>()
            .UseScopedHandler<StatelessMachineAccessTokens>()
            .SetOrder(RejectForeignTokens.IntrospectionDescriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(GenerateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.TokenType is TokenTypeIdentifiers.AccessToken &&
            context.EndpointType is OpenIddictServerEndpointType.Token &&
            context.Request?.IsClientCredentialsGrantType() == true)
        {
            context.CreateTokenEntry = false;
            context.IsReferenceToken = false;
            context.PersistTokenPayload = false;
        }

        return default;
    }

    public async ValueTask HandleAsync(ValidateIntrospectionRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var principal = context.GenericTokenPrincipal;
        if (principal is null || !string.IsNullOrEmpty(principal.GetTokenId()) || string.IsNullOrEmpty(context.ClientId) ||
            await applications.FindByClientIdAsync(context.ClientId, context.CancellationToken) is not { } application)
        {
            return; // a token with a row is checked against its row by OpenIddict
        }

        var notBefore = AgencyDescriptors.MachineTokensNotBefore(await applications.GetPropertiesAsync(application, context.CancellationToken));
        if (notBefore is not null && principal.GetCreationDate() is { } issued && issued <= notBefore)
        {
            context.Reject(Errors.InvalidToken, "The token was issued before the agency was disabled.");
        }
    }
}
