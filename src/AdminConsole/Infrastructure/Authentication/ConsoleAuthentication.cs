using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace OnePass.AdminConsole.Infrastructure.Authentication;

/// <summary>
/// Administrators sign in through OnePass like any citizen signs in to an agency: the console is the relying
/// party <c>onepass-admin</c> (CONTRACT §1) on Microsoft's OpenID Connect handler, code flow with PKCE, asking
/// for two factors. The local session is a cookie whose ticket (claims and tokens) stays on the server.
/// </summary>
public static class ConsoleAuthentication
{
    public const string AccessDeniedPath = "/access-denied";
    public const string SignedOutPath = "/signed-out";
    private static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);

    public static WebApplicationBuilder AddConsoleAuthentication(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddMemoryCache();
        services.AddDistributedMemoryCache(); // the session store; replace with Redis for several console processes
        services.AddSingleton<ServerSideTicketStore>();
        services.AddSingleton<IConfigureOptions<CookieAuthenticationOptions>, ConfigureTicketStore>();
        services.AddSingleton<ILogoutStore, InMemoryLogoutStore>();

        services.AddAuthentication(options =>
            {
                // Pages read the cookie; an anonymous visitor is sent to OnePass; a signed-in user who is not an
                // administrator (or signed in with one factor) is shown the access-denied page by the cookie handler.
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
                options.DefaultForbidScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            })
            .AddCookie(options =>
            {
                options.Cookie.Name = "onepass-admin";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
                options.AccessDeniedPath = AccessDeniedPath;
                options.ExpireTimeSpan = SessionLifetime;
                options.SlidingExpiration = false; // an administrator signs in again (with MFA) at least every 8 hours

                // Single logout: refuse, and remove from the store, a session whose OnePass session has ended since
                // it was issued (BackChannelLogout). sid and sub come from the ID token.
                options.Events.OnValidatePrincipal = async context =>
                {
                    var store = context.HttpContext.RequestServices.GetRequiredService<ILogoutStore>();
                    if (store.IsEnded(context.Principal?.FindFirst("sid")?.Value, context.Principal?.FindFirst("sub")?.Value,
                        context.Properties.IssuedUtc ?? DateTimeOffset.MinValue))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                    }
                };
            })
            .AddOpenIdConnect();

        services.AddOptions<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme)
            .Configure<IOptions<ConsoleOptions>>((options, consoleOptions) => ConfigureOpenIdConnect(options, consoleOptions.Value));

        // Every page and endpoint needs an administrator unless it says [AllowAnonymous].
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy.Name, AdminPolicy.Policy)
            .SetFallbackPolicy(AdminPolicy.Policy);
        return builder;
    }

    private static void ConfigureOpenIdConnect(OpenIdConnectOptions options, ConsoleOptions console)
    {
        // Endpoints and signing keys come from {Authority}/.well-known/openid-configuration.
        options.Authority = console.Authority;
        options.RequireHttpsMetadata = console.RequireHttpsMetadata ?? true;
        options.ClientId = console.ClientId;
        options.ClientSecret = string.IsNullOrEmpty(console.ClientSecret) ? null : console.ClientSecret;

        // Authorization code flow with PKCE S256 (RFC 9700 §2.1.1). The handler answers at /signin-oidc and
        // /signout-callback-oidc, which OnePass registers for onepass-admin.
        options.ResponseType = OpenIdConnectResponseType.Code;
        options.UsePkce = true;
        options.Scope.Clear();
        foreach (var scope in new[] { "openid", "profile", "offline_access", "onepass.admin" })
        {
            options.Scope.Add(scope);
        }

        // The tokens go into the (server-side) session: the access token calls the admin API, the refresh token
        // renews it (AdminApi/SessionTokenSource), the ID token is the id_token_hint of sign-out.
        options.SaveTokens = true;
        options.GetClaimsFromUserInfoEndpoint = true;
        options.MapInboundClaims = false;
        options.TokenValidationParameters.NameClaimType = AdminPolicy.NameClaim;
        options.TokenValidationParameters.RoleClaimType = AdminPolicy.RoleClaim;

        // The handler drops acr by default; the policy decides on it.
        options.ClaimActions.Remove(AdminPolicy.AcrClaim);
        options.SignedOutRedirectUri = SignedOutPath;

        // Two factors for every administrator (CONTRACT §5): OnePass steps the session up or refuses; the policy
        // still checks the acr the ID token states.
        options.Events.OnRedirectToIdentityProvider = context =>
        {
            context.ProtocolMessage.AcrValues = AdminPolicy.RequiredAcr;
            return Task.CompletedTask;
        };

        // Sign-in answers that are errors (access_denied, unmet_authentication_requirements) end on the
        // access-denied page with the reason, not on an exception.
        options.Events.OnRemoteFailure = context =>
        {
            context.HandleResponse();
            context.Response.Redirect($"{AccessDeniedPath}?reason=sign-in-failed");
            return Task.CompletedTask;
        };

        if (options.RequireHttpsMetadata is false)
        {
            // Local development over plain HTTP only: the correlation and nonce cookies are Secure and
            // SameSite=None by default, which browsers drop over http://; OnePass and the console are then the
            // same site (localhost), so Lax still carries them on the form_post back.
            options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.CorrelationCookie.SameSite = SameSiteMode.Lax;
            options.NonceCookie.SameSite = SameSiteMode.Lax;
        }
    }
}
