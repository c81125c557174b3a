using System.Text.Json;
using OnePass.IdentityProvider.Features.Authorization;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>Adds what OpenIddict does not know about to discovery: the OnePass assurance levels.</summary>
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
        return ValueTask.CompletedTask;
    }
}
