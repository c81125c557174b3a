using Microsoft.AspNetCore;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// A method an endpoint does not serve is <c>405 Method Not Allowed</c> with an <c>Allow</c> header
/// (RFC 9110 §15.5.6, CATALOGUE IN-DS-04, IN-AZ-22), not OpenIddict's <c>400 invalid_request</c>: the
/// authorization and end-session endpoints take GET and POST (RFC 6749 §3.1), discovery and JWKS GET,
/// PAR only POST (RFC 9126 §2).
/// </summary>
public sealed class RejectUnsupportedHttpMethods : IOpenIddictServerHandler<ProcessRequestContext>
{
    private static readonly string[] GetAndPost = [HttpMethods.Get, HttpMethods.Post];
    private static readonly string[] GetOnly = [HttpMethods.Get];
    private static readonly string[] PostOnly = [HttpMethods.Post];

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessRequestContext>()
            .UseSingletonHandler<RejectUnsupportedHttpMethods>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ExtractAuthorizationRequest.Descriptor.Order - 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessRequestContext context)
    {
        var allowed = context.EndpointType switch
        {
            OpenIddictServerEndpointType.Authorization or OpenIddictServerEndpointType.EndSession => GetAndPost,
            OpenIddictServerEndpointType.Configuration or OpenIddictServerEndpointType.JsonWebKeySet => GetOnly,
            OpenIddictServerEndpointType.PushedAuthorization => PostOnly,
            _ => null,
        };
        var request = context.Transaction.GetHttpRequest();
        if (allowed is null || request is null || allowed.Contains(request.Method, StringComparer.OrdinalIgnoreCase))
        {
            return ValueTask.CompletedTask;
        }

        request.HttpContext.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        request.HttpContext.Response.Headers.Allow = string.Join(", ", allowed);
        context.HandleRequest();
        return ValueTask.CompletedTask;
    }
}
