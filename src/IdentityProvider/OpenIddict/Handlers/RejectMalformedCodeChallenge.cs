using System.Text.RegularExpressions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// An S256 <c>code_challenge</c> is BASE64URL(SHA-256(verifier)): exactly 43 base64url characters
/// (RFC 7636 §4.2). Anything else can never match a verifier, so it is refused at the authorization
/// endpoint with <c>invalid_request</c> instead of producing a code nobody can redeem (CATALOGUE IN-AZ-11).
/// </summary>
public sealed partial class RejectMalformedCodeChallenge : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseSingletonHandler<RejectMalformedCodeChallenge>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateProofKeyForCodeExchangeParameters.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        var challenge = context.Request.CodeChallenge;
        if (!string.IsNullOrEmpty(challenge) && context.Request.CodeChallengeMethod == CodeChallengeMethods.Sha256 &&
            !S256Challenge().IsMatch(challenge))
        {
            context.Reject(Errors.InvalidRequest, "The 'code_challenge' parameter must be 43 base64url characters for the S256 method.");
        }

        return ValueTask.CompletedTask;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{43}$", RegexOptions.CultureInvariant)]
    private static partial Regex S256Challenge();
}
