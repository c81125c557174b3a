using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// A code redeemed with a wrong (or without its) PKCE verifier is revoked at once, so it cannot be
/// tried again with another verifier (RFC 7636 §4.6, CATALOGUE IN-TK-06). Runs just before OpenIddict's
/// own verifier check; OnePass only allows S256 challenges.
/// </summary>
public sealed class BurnCodeOnFailedVerifier(IOpenIddictTokenManager tokens) : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseScopedHandler<BurnCodeOnFailedVerifier>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateCodeVerifier.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.IsAuthorizationCodeGrantType() || context.AuthorizationCodePrincipal is not { } principal ||
            principal.GetClaim(Claims.Private.CodeChallenge) is not { Length: > 0 } challenge ||
            string.IsNullOrEmpty(context.ClientId) || !principal.HasPresenter(context.ClientId))
        {
            // Another agency's code is refused by OpenIddict and must stay usable by its owner (IN-TK-04).
            return;
        }

        var verifier = context.Request.CodeVerifier;
        if (!string.IsNullOrEmpty(verifier) && CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)))),
                Encoding.ASCII.GetBytes(challenge)))
        {
            return;
        }

        if (principal.GetTokenId() is { } id && await tokens.FindByIdAsync(id, context.CancellationToken) is { } token)
        {
            await tokens.TryRevokeAsync(token, context.CancellationToken);
        }

        if (string.IsNullOrEmpty(verifier))
        {
            context.Reject(Errors.InvalidRequest, "The 'code_verifier' parameter is required for this code.");
        }
        else
        {
            context.Reject(Errors.InvalidGrant, "The 'code_verifier' does not match the code challenge.");
        }
    }
}
