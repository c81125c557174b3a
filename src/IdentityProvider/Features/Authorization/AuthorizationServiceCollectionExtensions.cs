using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Infrastructure;
using OnePass.IdentityProvider.Infrastructure.Keys;
using OnePass.IdentityProvider.OpenIddict.Handlers;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.Authorization;

public static class AuthorizationServiceCollectionExtensions
{
    public const string AuthorizationPath = "connect/authorize";
    public const string TokenPath = "connect/token";
    public const string EndSessionPath = "connect/endsession";

    /// <summary>
    /// The OpenID Connect server: OpenIddict 7 with EF Core stores (Guid keys), code flow only with
    /// PKCE S256, refresh-token rotation without reuse leeway, client credentials, PAR, introspection,
    /// revocation, RP-initiated logout; keys from the database (<see cref="KeyRing"/>).
    /// </summary>
    public static IHostApplicationBuilder AddOnePassOpenIddict(this IHostApplicationBuilder builder)
    {
        var onePass = builder.Configuration.GetSection(OnePassOptions.SectionName).Get<OnePassOptions>() ?? new OnePassOptions();
        var requireHttps = onePass.RequireHttps ?? !builder.Environment.IsDevelopment();
        var tokens = onePass.Tokens;

        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<OnePassDbContext>().ReplaceDefaultEntities<Guid>())
            .AddCore(core => core.ReplaceApplicationManager<global::OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication<Guid>, Agencies.OnePassApplicationManager>()) // rotated secrets' overlap
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris(AuthorizationPath)
                    .SetPushedAuthorizationEndpointUris("connect/par")
                    .SetTokenEndpointUris(TokenPath)
                    .SetUserInfoEndpointUris("connect/userinfo")
                    .SetIntrospectionEndpointUris("connect/introspect")
                    .SetRevocationEndpointUris("connect/revoke")
                    .SetEndSessionEndpointUris(EndSessionPath)
                    .SetConfigurationEndpointUris(".well-known/openid-configuration")
                    .SetJsonWebKeySetEndpointUris(".well-known/jwks");

                // Code flow only: no implicit, hybrid or password grants (RFC 9700 §2.1.2, §2.4).
                server.AllowAuthorizationCodeFlow()
                    .AllowRefreshTokenFlow()
                    .AllowClientCredentialsFlow();

                server.RegisterScopes([.. ScopeClaims.BuiltIn]);
                server.RegisterClaims(
                    Claims.Subject, Claims.Name, Claims.PreferredUsername, Claims.Email, Claims.EmailVerified,
                    SessionClaims.SessionId, SessionClaims.AuthTime, SessionClaims.Acr, SessionClaims.Amr);

                server.SetAuthorizationCodeLifetime(tokens.AuthorizationCode)
                    .SetAccessTokenLifetime(tokens.AccessToken)
                    .SetIdentityTokenLifetime(tokens.IdentityToken)
                    .SetRefreshTokenLifetime(tokens.RefreshToken);

                // A used refresh token is refused at once and its successors revoked (CONTRACT §5).
                server.SetRefreshTokenReuseLeeway(TimeSpan.Zero)
                    .DisableSlidingRefreshTokenExpiration();

                // Requests are stored server-side and referenced by request_uri, so the consent and
                // logout forms cannot be edited by the browser (CATALOGUE AT-15).
                server.EnableAuthorizationRequestCaching()
                    .EnableEndSessionRequestCaching();

                if (onePass.IssuerUri is { } issuer)
                {
                    server.SetIssuer(issuer);
                }

                server.Configure(options =>
                {
                    // PKCE "plain" is refused (RFC 9700 §2.1.1); S256 only.
                    options.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain);
                    options.SubjectTypes.Add(SubjectTypes.Pairwise);
                    options.RequestTokenLifetime = tokens.Request;
                });

                server.AddEventHandler(SelectCurrentKeys.Descriptor)
                    .AddEventHandler(RequireOpenIdScope.Descriptor)
                    .AddEventHandler(AdvertiseOnePassMetadata.Descriptor)
                    .AddEventHandler(RejectMalformedCodeChallenge.Descriptor)
                    .AddEventHandler(RejectMalformedMaxAge.Descriptor)
                    .AddEventHandler(RejectScopesNotGrantedToAgency.Descriptor)
                    .AddEventHandler(RedirectErrorsToRegisteredUri.Descriptor)
                    .AddEventHandler(RejectUnsupportedHttpMethods.Descriptor)
                    .AddEventHandler(PublishEndpointsUnderIssuer.Descriptor);

                // Back-channel rules: tokens only for their own agency, atomic single use, spec error codes.
                server.AddEventHandler(RejectForeignTokens.IntrospectionDescriptor)
                    .AddEventHandler(RejectForeignTokens.RevocationDescriptor)
                    .AddEventHandler(RejectWiderRefreshScope.Descriptor)
                    .AddEventHandler(BurnCodeOnFailedVerifier.Descriptor)
                    .AddEventHandler(RedeemTokenOnce.Descriptor)
                    .AddEventHandler(IssueSessionBoundRefreshTokens.Descriptor)
                    .AddEventHandler(StatelessMachineAccessTokens.GenerationDescriptor)
                    .AddEventHandler(StatelessMachineAccessTokens.IntrospectionDescriptor)
                    .AddEventHandler(StatelessCachedRequests.Descriptor)
                    .AddEventHandler(AcceptBodilessUserInfoPost.Descriptor);
                RejectDisabledAgencies.Descriptors.ToList().ForEach(descriptor => server.AddEventHandler(descriptor));

                var aspNetCore = server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .EnableStatusCodePagesIntegration();
                if (!requireHttps)
                {
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            })
            .AddValidation(validation =>
            {
                // GHSA-cxgj-hwwh-855g (OpenIddict < 7.9): wherever the validation stack is used,
                // check the token entry and its authorization, so a revoked token is refused.
                validation.UseLocalServer();
                validation.EnableTokenEntryValidation();
                validation.EnableAuthorizationEntryValidation();
                validation.UseAspNetCore();
            });

        // Agencies are read from a node-wide cache, invalidated on every node when one changes (issue 7).
        builder.Services.AddSingleton<Agencies.AgencyCache>();
        builder.Services.AddHostedService<Agencies.AgencyCache.Subscription>();
        builder.Services.AddScoped<global::OpenIddict.Abstractions.IOpenIddictApplicationCache<global::OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication<Guid>>, Agencies.SharedApplicationCache>();

        builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, ConfigureServerKeys>();
        builder.Services.AddSingleton<SubjectIdentifiers>();
        builder.Services.AddSingleton<ReauthenticationMarker>();
        builder.Services.AddSingleton<ConsentTickets>();
        builder.Services.AddSingleton<TokenPruning>();
        builder.Services.AddHostedService(services => services.GetRequiredService<TokenPruning>());
        builder.Services.AddScoped<TokenPrincipalFactory>();
        builder.Services.AddScoped<ScopeClaims>();
        builder.Services.AddScoped<TokenUsers>();
        return builder;
    }

    public static IEndpointRouteBuilder MapOnePassAuthorizationEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/" + TokenPath, (Func<HttpContext, Task<IResult>>)TokenEndpoint.HandleAsync).DisableAntiforgery();
        endpoints.MapMethods("/connect/userinfo", [HttpMethods.Get, HttpMethods.Post], UserInfoEndpoint.HandleAsync)
            .DisableAntiforgery();
        return endpoints;
    }
}
