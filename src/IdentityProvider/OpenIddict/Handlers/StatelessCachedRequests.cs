using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// A cached authorization request (request caching: OpenIddict answers the first <c>GET /connect/authorize</c> with a
/// redirect to itself carrying only <c>request_uri</c>) becomes a self-contained token instead of a row: the
/// <c>request_uri</c> carries the request, signed and encrypted with the server-only key, so the browser still cannot
/// alter it (CATALOGUE AT-15), but no INSERT, UPDATE, SELECT and redemption are made for every agency visit (issue 7:
/// four of the warm sign-in's database round trips).
/// <para>
/// What is given up is single use, which the cached request never needed: it holds nothing the browser did not send
/// (replaying it is replaying the original URL, and a code still needs the PKCE verifier). Requests pushed by an agency
/// (PAR, RFC 9126 asks for one-time use) keep their row, and so does a large request, whose token would make the
/// redirect URL too long for servers and proxies.
/// </para>
/// </summary>
public sealed class StatelessCachedRequests : IOpenIddictServerHandler<GenerateTokenContext>
{
    /// <summary>Requests whose parameters serialize longer than this keep their row (the URL stays under about 4 KB).</summary>
    public const int MaxParametersLength = 1500;

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
            .UseSingletonHandler<StatelessCachedRequests>()
            .SetOrder(OpenIddictServerHandlers.Protection.CreateTokenEntry.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(GenerateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.TokenType is TokenTypeIdentifiers.Private.RequestToken &&
            context.EndpointType is OpenIddictServerEndpointType.Authorization &&
            context.Principal?.GetClaim(Claims.Private.RequestTokenType) is RequestTokenTypes.Private.CachedAuthorizationRequest &&
            context.Principal.GetClaim(Claims.Private.RequestParameters) is { Length: <= MaxParametersLength })
        {
            context.CreateTokenEntry = false;
            context.IsReferenceToken = false;
            context.PersistTokenPayload = false;
        }

        return default;
    }
}
