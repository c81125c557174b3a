using OnePass.IdentityProvider.Features.Agencies;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// An agency an administrator has disabled (issue 5; <see cref="Features.Authorization.AgencySettings.DisabledProperty"/>)
/// can neither start a sign-in (authorization, pushed authorization and end-session requests:
/// <c>unauthorized_client</c>) nor use the back channel (token, introspection, revocation: <c>invalid_client</c>).
/// Its tokens are revoked when it is disabled, so userinfo and the admin API refuse them through the token
/// entry check. The application is read per request (OpenIddict's cache lives for one request), so every
/// node of a cluster sees the change at once. Each check runs right after OpenIddict authenticated the client.
/// </summary>
public sealed class RejectDisabledAgencies(IOpenIddictApplicationManager applications) :
    IOpenIddictServerHandler<ValidateAuthorizationRequestContext>,
    IOpenIddictServerHandler<ValidatePushedAuthorizationRequestContext>,
    IOpenIddictServerHandler<ValidateEndSessionRequestContext>,
    IOpenIddictServerHandler<ValidateTokenRequestContext>,
    IOpenIddictServerHandler<ValidateIntrospectionRequestContext>,
    IOpenIddictServerHandler<ValidateRevocationRequestContext>
{
    private const string SignInRefused = "This agency has been disabled by OnePass administrators and cannot sign citizens in.";
    private const string ClientRefused = "This agency has been disabled by OnePass administrators.";

    /// <summary>One descriptor per request type; register them all.</summary>
    public static IReadOnlyList<OpenIddictServerHandlerDescriptor> Descriptors { get; } =
    [
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseScopedHandler<RejectDisabledAgencies>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateAuthentication.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build(),
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidatePushedAuthorizationRequestContext>()
            .UseScopedHandler<RejectDisabledAgencies>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidatePushedAuthentication.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build(),
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateEndSessionRequestContext>()
            .UseScopedHandler<RejectDisabledAgencies>()
            .SetOrder(OpenIddictServerHandlers.Session.ValidateAuthentication.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build(),
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseScopedHandler<RejectDisabledAgencies>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateAuthentication.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build(),
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateIntrospectionRequestContext>()
            .UseScopedHandler<RejectDisabledAgencies>()
            .SetOrder(OpenIddictServerHandlers.Introspection.ValidateAuthentication.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build(),
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateRevocationRequestContext>()
            .UseScopedHandler<RejectDisabledAgencies>()
            .SetOrder(OpenIddictServerHandlers.Revocation.ValidateAuthentication.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build(),
    ];

    public async ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await IsDisabledAsync(context.ClientId ?? context.Request.ClientId, context.CancellationToken))
        {
            context.Reject(Errors.UnauthorizedClient, SignInRefused);
        }
    }

    public async ValueTask HandleAsync(ValidatePushedAuthorizationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await IsDisabledAsync(context.ClientId ?? context.Request.ClientId, context.CancellationToken))
        {
            context.Reject(Errors.UnauthorizedClient, SignInRefused);
        }
    }

    public async ValueTask HandleAsync(ValidateEndSessionRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // The agency is named by client_id or by the ID token hint it holds (its audience). A hint from a
        // disabled agency was revoked with its other tokens and is ignored by OpenIddict, so the agency is
        // also found by its post-logout redirect URI: never send a citizen back to a disabled agency.
        var clientId = context.ClientId ?? context.Request.ClientId ??
            context.IdentityTokenHintPrincipal?.GetAudiences().FirstOrDefault() ?? context.IdentityTokenHintPrincipal?.GetPresenters().FirstOrDefault();
        if (clientId is not null)
        {
            if (await IsDisabledAsync(clientId, context.CancellationToken))
            {
                context.Reject(Errors.UnauthorizedClient, SignInRefused);
            }

            return;
        }

        if (string.IsNullOrEmpty(context.PostLogoutRedirectUri ?? context.Request.PostLogoutRedirectUri))
        {
            return;
        }

        var found = false;
        await foreach (var application in applications.FindByPostLogoutRedirectUriAsync(
            context.PostLogoutRedirectUri ?? context.Request.PostLogoutRedirectUri!, context.CancellationToken))
        {
            found = true;
            if (!AgencyDescriptors.IsDisabled(await applications.GetPropertiesAsync(application, context.CancellationToken)))
            {
                return; // an enabled agency registered this URI
            }
        }

        if (found)
        {
            context.Reject(Errors.UnauthorizedClient, SignInRefused);
        }
    }

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await IsDisabledAsync(context.ClientId, context.CancellationToken))
        {
            context.Reject(Errors.InvalidClient, ClientRefused);
        }
    }

    public async ValueTask HandleAsync(ValidateIntrospectionRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await IsDisabledAsync(context.ClientId, context.CancellationToken))
        {
            context.Reject(Errors.InvalidClient, ClientRefused);
        }
    }

    public async ValueTask HandleAsync(ValidateRevocationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await IsDisabledAsync(context.ClientId, context.CancellationToken))
        {
            context.Reject(Errors.InvalidClient, ClientRefused);
        }
    }

    private ValueTask<bool> IsDisabledAsync(string? clientId, CancellationToken cancellationToken) =>
        AgencyDescriptors.IsDisabledAsync(applications, clientId, cancellationToken);
}
