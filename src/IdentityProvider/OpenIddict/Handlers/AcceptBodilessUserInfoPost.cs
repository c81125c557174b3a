using Microsoft.AspNetCore;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// A userinfo POST that carries the access token in the Authorization header may have no body and so
/// no Content-Type (OIDC Core §5.3.1, RFC 6750 §2.1; conformance <c>oidcc-userinfo-post-header</c>).
/// OpenIddict insists on a form Content-Type for every POST; an empty body is an empty form.
/// </summary>
public sealed class AcceptBodilessUserInfoPost : IOpenIddictServerHandler<ExtractUserInfoRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractUserInfoRequestContext>()
            .UseSingletonHandler<AcceptBodilessUserInfoPost>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.ExtractGetOrPostRequest<ExtractUserInfoRequestContext>.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ExtractUserInfoRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Transaction.GetHttpRequest();
        if (request is not null && HttpMethods.IsPost(request.Method) && string.IsNullOrEmpty(request.ContentType) &&
            request.ContentLength is null or 0 && string.IsNullOrEmpty(request.Headers.TransferEncoding))
        {
            request.ContentType = "application/x-www-form-urlencoded";
        }

        return ValueTask.CompletedTask;
    }
}
