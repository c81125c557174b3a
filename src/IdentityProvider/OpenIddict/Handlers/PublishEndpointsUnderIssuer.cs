using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// OpenIddict builds discovery's endpoint URLs from the request's own base URL (the <c>Host</c>
/// header), even when the issuer is configured. A forged <c>Host</c> would then advertise endpoints
/// on another site (CATALOGUE IN-DS-01, AT-35): with a configured issuer, every endpoint is published
/// under it (OpenID Connect Discovery 1.0 §4.3).
/// </summary>
public sealed class PublishEndpointsUnderIssuer : IOpenIddictServerHandler<HandleConfigurationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
            .UseSingletonHandler<PublishEndpointsUnderIssuer>()
            .SetOrder(OpenIddictServerHandlers.Discovery.AttachEndpoints.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    // OpenIddict's AttachEndpoints (next) only fills the endpoints still unset, from the request's base URL.
    public ValueTask HandleAsync(HandleConfigurationRequestContext context)
    {
        if (context.Options.Issuer is not { IsAbsoluteUri: true } issuer)
        {
            return ValueTask.CompletedTask;
        }

        Uri? UnderIssuer(IEnumerable<Uri> uris) => uris.FirstOrDefault() is { } uri
            ? uri.IsAbsoluteUri ? uri : new Uri(issuer, uri.OriginalString.TrimStart('/'))
            : null;

        var options = context.Options;
        context.AuthorizationEndpoint ??= UnderIssuer(options.AuthorizationEndpointUris);
        context.DeviceAuthorizationEndpoint ??= UnderIssuer(options.DeviceAuthorizationEndpointUris);
        context.EndSessionEndpoint ??= UnderIssuer(options.EndSessionEndpointUris);
        context.IntrospectionEndpoint ??= UnderIssuer(options.IntrospectionEndpointUris);
        context.JsonWebKeySetEndpoint ??= UnderIssuer(options.JsonWebKeySetEndpointUris);
        context.PushedAuthorizationEndpoint ??= UnderIssuer(options.PushedAuthorizationEndpointUris);
        context.RevocationEndpoint ??= UnderIssuer(options.RevocationEndpointUris);
        context.TokenEndpoint ??= UnderIssuer(options.TokenEndpointUris);
        context.UserInfoEndpoint ??= UnderIssuer(options.UserInfoEndpointUris);
        return ValueTask.CompletedTask;
    }
}
