using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.Infrastructure.Telemetry;

/// <summary>
/// Counts successful token responses by grant type and agency (<see cref="OnePassMetrics"/>). Only a response
/// without an error is counted, and OpenIddict answers one only to a registered client, so the agency label
/// is always a registered client id (or <c>none</c>): a caller cannot add series by sending made-up ids.
/// </summary>
public sealed class CountIssuedTokens(OnePassMetrics metrics) : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .UseSingletonHandler<CountIssuedTokens>()
            .SetOrder(int.MinValue + 100_000) // before the response is written (which ends the event)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        if (string.IsNullOrEmpty(context.Response.Error) && context.Request is { } request)
        {
            metrics.TokenIssued(request.GrantType, string.IsNullOrEmpty(request.ClientId) ? null : request.ClientId);
        }

        return ValueTask.CompletedTask;
    }
}
