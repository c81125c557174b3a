using Microsoft.AspNetCore.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Features.Site;
using OnePass.IdentityProvider.Infrastructure.Discovery;
using OnePass.IdentityProvider.Infrastructure.Health;
using OnePass.IdentityProvider.Infrastructure.Security;

namespace OnePass.IdentityProvider.Infrastructure;

public static class WebServiceCollectionExtensions
{
    /// <summary>Largest request body the protocol endpoints and forms accept.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    /// <summary>Options, Razor Pages under <c>Features/</c>, languages, limits, forwarded headers, health.</summary>
    public static IHostApplicationBuilder AddOnePassWeb(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OnePassOptions>()
            .Bind(builder.Configuration.GetSection(OnePassOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(options => ValidateIssuer(options, builder.Environment) is null,
                "OnePass__Issuer must be an absolute URL (https unless OnePass__RequireHttps=false), and is required outside Development.")
            .Validate(ProxiesAreValid,
                "OnePass__KnownProxies__N must be IP addresses and OnePass__KnownNetworks__N networks in CIDR form (such as 10.0.0.0/8).")
            .ValidateOnStart();

        builder.Services.AddRazorPages(options => options.RootDirectory = "/Features");
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOnePassRateLimits();
        builder.Services.AddExceptionHandler<TransientFailures>();

        builder.Services.Configure<RequestLocalizationOptions>(options =>
        {
            options.SetDefaultCulture("en").AddSupportedCultures([.. Texts.Cultures]).AddSupportedUICultures([.. Texts.Cultures]);
            // The switcher's choice in this browser session, then ui_locales, then the remembered choice, then the
            // browser's languages. No ?culture= query: only ui_locales, the OIDC parameter, is read from URLs.
            options.RequestCultureProviders =
            [
                new ChosenLanguageRequestCultureProvider(),
                new UiLocalesRequestCultureProvider(),
                new CookieRequestCultureProvider(),
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });

        // Small bodies only: protocol requests and sign-in forms are a few kilobytes (CATALOGUE IN-TK-09).
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(form =>
        {
            form.ValueCountLimit = 100;
            form.KeyLengthLimit = 256;
            form.ValueLengthLimit = (int)MaxRequestBodyBytes;
            form.MultipartBodyLengthLimit = MaxRequestBodyBytes;
        });

        // X-Forwarded-* only from configured proxies or proxy networks; none by default, not even loopback
        // (CATALOGUE IN-DS-01). A malformed entry stops the start (see ValidateProxies).
        var proxies = builder.Configuration.GetSection($"{OnePassOptions.SectionName}:KnownProxies").Get<string[]>() ?? [];
        var networks = builder.Configuration.GetSection($"{OnePassOptions.SectionName}:KnownNetworks").Get<string[]>() ?? [];
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            // With both lists empty the middleware would believe every sender, so no proxy means no forwarded headers.
            options.ForwardedHeaders = proxies.Length + networks.Length == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
            foreach (var proxy in proxies)
            {
                if (IPAddress.TryParse(proxy, out var address))
                {
                    options.KnownProxies.Add(address);
                }
            }

            foreach (var network in networks)
            {
                if (System.Net.IPNetwork.TryParse(network, out var parsed))
                {
                    options.KnownIPNetworks.Add(parsed);
                }
            }
        });

        builder.Services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(365);
            options.IncludeSubDomains = true;
        });

        // Redirect plain-HTTP pages to the issuer's HTTPS port; without a known port the middleware does
        // nothing and a page would be served over HTTP (CATALOGUE AT-36).
        builder.Services.AddOptions<HttpsRedirectionOptions>().Configure<IOptions<OnePassOptions>>((redirection, onePass) =>
        {
            if (onePass.Value.IssuerUri is { Scheme: "https" } issuer)
            {
                redirection.HttpsPort = issuer.Port;
            }
        });

        builder.AddOnePassHealth();
        return builder;
    }

    public static WebApplication UseOnePassWeb(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<OnePassOptions>>().Value;
        var requireHttps = options.RequireHttps ?? !app.Environment.IsDevelopment();

        app.UseForwardedHeaders(); // a no-op unless proxies are configured (see AddOnePassWeb)
        app.UseExceptionHandler("/error");
        app.UseStatusCodePagesWithReExecute("/error");
        app.Use((context, next) =>
        {
            // Machine-facing endpoints answer JSON or an empty body with WWW-Authenticate, never the HTML page.
            if (IsApiPath(context.Request.Path) && context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
            {
                statusCodePages.Enabled = false;
            }

            return next(context);
        });
        if (requireHttps)
        {
            app.UseHsts();
            // Protocol endpoints are not redirected: OpenIddict refuses them over HTTP, so a client that sent
            // a secret in the clear is told so instead of having it re-posted (RFC 6749 §3.1, §3.2). Health
            // endpoints are not redirected either: probes (kubelet, load balancers) call the node over plain HTTP
            // and would read a redirect as "healthy" or as a failure, never as the node's real state.
            app.UseWhen(context => !IsProtocolPath(context.Request.Path) && !context.Request.Path.StartsWithSegments("/health"),
                branch => branch.UseHttpsRedirection());
        }

        app.UseOnePassSecurityHeaders();
        app.UseOnePassDiscoveryCache(); // discovery and JWKS from memory (issue 7)
        app.UseStaticFiles();
        app.UseRequestLocalization();
        app.UseCitizenTimeZone();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    private static bool IsProtocolPath(PathString path) =>
        path.StartsWithSegments("/connect", StringComparison.OrdinalIgnoreCase) ||
        path.StartsWithSegments("/.well-known", StringComparison.OrdinalIgnoreCase);

    internal static bool IsApiPath(PathString path) =>
        path.StartsWithSegments("/connect/token") || path.StartsWithSegments("/connect/userinfo") ||
        path.StartsWithSegments("/connect/introspect") || path.StartsWithSegments("/connect/revoke") ||
        path.StartsWithSegments("/connect/par") || path.StartsWithSegments("/.well-known") || path.StartsWithSegments("/health") ||
        path.StartsWithSegments("/api");

    internal static bool ProxiesAreValid(OnePassOptions options) =>
        options.KnownProxies.All(proxy => IPAddress.TryParse(proxy, out _)) &&
        options.KnownNetworks.All(network => System.Net.IPNetwork.TryParse(network, out _));

    internal static string? ValidateIssuer(OnePassOptions options, IHostEnvironment environment)
    {
        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            return environment.IsDevelopment() ? null : "OnePass__Issuer is required outside Development.";
        }

        if (!Uri.TryCreate(options.Issuer, UriKind.Absolute, out var issuer) ||
            (issuer.Scheme != Uri.UriSchemeHttps && issuer.Scheme != Uri.UriSchemeHttp) ||
            !string.IsNullOrEmpty(issuer.Query) || !string.IsNullOrEmpty(issuer.Fragment))
        {
            return "OnePass__Issuer must be an absolute http(s) URL without query or fragment.";
        }

        var requireHttps = options.RequireHttps ?? !environment.IsDevelopment();
        return requireHttps && issuer.Scheme != Uri.UriSchemeHttps
            ? "OnePass__Issuer must use https while HTTPS is required."
            : null;
    }
}
