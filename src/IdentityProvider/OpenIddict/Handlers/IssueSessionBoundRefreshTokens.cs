using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// Gives an agency allowed the refresh_token grant a refresh token even without <c>offline_access</c>.
/// OpenIddict issues one only with <c>offline_access</c>; here such a token is bound to the citizen's
/// SSO session and stops working when the session ends (TokenEndpoint checks it), while an
/// <c>offline_access</c> token survives sign-out (docs/architecture.md, "Sessions").
/// </summary>
public sealed class IssueSessionBoundRefreshTokens(IOpenIddictApplicationManager applications)
    : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseScopedHandler<IssueSessionBoundRefreshTokens>()
            .SetOrder(OpenIddictServerHandlers.EvaluateGeneratedTokens.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessSignInContext context)
    {
        if (context.EndpointType is not OpenIddictServerEndpointType.Token || context.GenerateRefreshToken ||
            context.Request is null || !(context.Request.IsAuthorizationCodeGrantType() || context.Request.IsRefreshTokenGrantType()) ||
            string.IsNullOrEmpty(context.Request.ClientId))
        {
            return;
        }

        var application = await applications.FindByClientIdAsync(context.Request.ClientId, context.CancellationToken);
        if (application is not null &&
            await applications.HasPermissionAsync(application, Permissions.GrantTypes.RefreshToken, context.CancellationToken))
        {
            context.GenerateRefreshToken = true;
            context.IncludeRefreshToken = true;
        }
    }
}
