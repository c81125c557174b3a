using System.Text.Json;
using OnePass.IdentityProvider.Features.Authorization;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// Adds what OpenIddict does not know about to discovery: the OnePass assurance levels, and single
/// logout (Back-Channel and Front-Channel Logout 1.0: OnePass always sends <c>iss</c> and <c>sid</c>).
/// </summary>
public sealed class AdvertiseOnePassMetadata : IOpenIddictServerHandler<HandleConfigurationRequestContext>
{
    private static readonly JsonElement AcrValues = JsonSerializer.SerializeToElement(AssuranceLevels.All);

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
            .UseSingletonHandler<AdvertiseOnePassMetadata>()
            .SetOrder(int.MaxValue - 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleConfigurationRequestContext context)
    {
        context.Metadata["acr_values_supported"] = AcrValues;
        context.Metadata["claims_parameter_supported"] = false;
        context.Metadata["request_parameter_supported"] = false;
        context.Metadata["request_uri_parameter_supported"] = false;
        context.Metadata["backchannel_logout_supported"] = true;
        context.Metadata["backchannel_logout_session_supported"] = true;
        context.Metadata["frontchannel_logout_supported"] = true;
        context.Metadata["frontchannel_logout_session_supported"] = true;
        return ValueTask.CompletedTask;
    }
}
