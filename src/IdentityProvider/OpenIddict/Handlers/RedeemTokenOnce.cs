using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// Marks the code or refresh token redeemed with one conditional UPDATE as the last validation step,
/// so that of several concurrent requests with the same token exactly one wins (CATALOGUE AT-06,
/// FT-06). OpenIddict checks the status when it validates the token and redeems it only later, and
/// that later redemption does not fail the requests that lost the race. A loser is a second use of
/// one token: the server cannot tell which party is the legitimate one, so the whole grant is revoked
/// (RFC 9700 §4.14.2, RFC 6749 §4.1.2).
/// </summary>
public sealed class RedeemTokenOnce(OnePassDbContext database, IOpenIddictTokenManager tokens, TimeProvider time)
    : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseScopedHandler<RedeemTokenOnce>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateGrantedScopes.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var principal = context.Request.IsAuthorizationCodeGrantType() ? context.AuthorizationCodePrincipal
            : context.Request.IsRefreshTokenGrantType() ? context.RefreshTokenPrincipal
            : null;
        if (principal is null)
        {
            return;
        }

        if (Guid.TryParse(principal.GetTokenId(), out var id))
        {
            var now = time.GetUtcNow().UtcDateTime;
            var claimed = await database.Set<OpenIddictEntityFrameworkCoreToken<Guid>>()
                .Where(token => token.Id == id && token.Status == Statuses.Valid)
                .ExecuteUpdateAsync(update => update
                    .SetProperty(token => token.Status, Statuses.Redeemed)
                    .SetProperty(token => token.RedemptionDate, now), context.CancellationToken);
            if (claimed == 1)
            {
                return;
            }
        }

        if (principal.GetAuthorizationId() is { } authorizationId)
        {
            await tokens.RevokeByAuthorizationIdAsync(authorizationId, context.CancellationToken);
        }

        context.Reject(Errors.InvalidGrant, "The token has already been redeemed.");
    }
}
