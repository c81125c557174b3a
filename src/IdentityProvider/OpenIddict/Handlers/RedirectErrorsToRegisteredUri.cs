using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// OpenIddict shows every authorization-request validation error on its own error page. RFC 6749
/// §4.1.2.1 (and CONTRACT §4) wants only errors about the client or the redirect URI shown there; every
/// other error (bad scope, missing PKCE, unsupported response type or prompt…) goes back to the client.
/// So when the request names a known client and a redirect URI registered for it exactly, the error is
/// sent to that URI, with <c>state</c> and <c>iss</c> added by OpenIddict's later handlers (RFC 9207).
/// </summary>
public sealed class RedirectErrorsToRegisteredUri(IOpenIddictApplicationManager applications)
    : IOpenIddictServerHandler<ApplyAuthorizationResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyAuthorizationResponseContext>()
            .UseScopedHandler<RedirectErrorsToRegisteredUri>()
            .SetOrder(OpenIddictServerHandlers.Authentication.InferResponseMode.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ApplyAuthorizationResponseContext context)
    {
        var request = context.Request;
        if (!string.IsNullOrEmpty(context.RedirectUri) || string.IsNullOrEmpty(context.Response.Error) || request is null ||
            string.IsNullOrEmpty(request.ClientId) || string.IsNullOrEmpty(request.RedirectUri) ||
            !Uri.TryCreate(request.RedirectUri, UriKind.Absolute, out _))
        {
            return; // a success, or an error about the client or the redirect URI: OpenIddict's error page
        }

        var application = await applications.FindByClientIdAsync(request.ClientId);
        if (application is null || !await applications.ValidateRedirectUriAsync(application, request.RedirectUri))
        {
            return;
        }

        context.RedirectUri = request.RedirectUri;
        context.ResponseMode = request.ResponseMode switch
        {
            ResponseModes.Query or ResponseModes.Fragment or ResponseModes.FormPost => request.ResponseMode,
            _ when request.IsFragmentResponseMode() => ResponseModes.Fragment,
            _ => ResponseModes.Query, // unknown or absent response_mode/response_type: the code flow's default
        };
    }
}
