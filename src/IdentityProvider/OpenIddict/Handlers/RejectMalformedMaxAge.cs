using System.Globalization;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// <c>max_age</c> is a number of seconds (OIDC Core §3.1.2.1). A value that is not a non-negative
/// integer is refused with <c>invalid_request</c> rather than silently ignored, which would issue a
/// code without the freshness the agency asked for.
/// </summary>
public sealed class RejectMalformedMaxAge : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseSingletonHandler<RejectMalformedMaxAge>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidatePromptParameter.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        var value = (string?)context.Request.GetParameter(Parameters.MaxAge);
        if (value is not null && !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            context.Reject(Errors.InvalidRequest, "The 'max_age' parameter must be a non-negative number of seconds.");
        }

        return ValueTask.CompletedTask;
    }
}
