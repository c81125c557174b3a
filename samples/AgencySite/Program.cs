using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace OnePass.Samples.AgencySite;

/// <summary>
/// A minimal agency web site that signs citizens in with OnePass, using nothing but Microsoft's
/// OpenID Connect handler. Copy it: everything an agency needs is in this file and Logout.cs.
/// <list type="bullet">
/// <item><c>/</c> is public and links to the sign-in;</item>
/// <item><c>/me</c> requires a signed-in citizen and lists the claims OnePass sent;</item>
/// <item><c>/signout</c> (POST) ends the local session and the OnePass session (RP-initiated logout);</item>
/// <item><c>/backchannel-logout</c> (POST) and <c>/frontchannel-logout</c> (GET) end the local session when
/// the citizen signs out of OnePass elsewhere (single logout, see Logout.cs).</item>
/// </list>
/// Register with OnePass (seed file, CONTRACT §3): <c>redirectUris</c> <c>https://your.site/signin-oidc</c>,
/// <c>postLogoutRedirectUris</c> <c>https://your.site/signout-callback-oidc</c>, <c>backchannelLogoutUri</c>
/// <c>https://your.site/backchannel-logout</c> (recommended: it also arrives when OnePass ends a session
/// without the citizen's browser, e.g. at expiry) and optionally <c>frontchannelLogoutUri</c>
/// <c>https://your.site/frontchannel-logout</c>.
/// Configuration (appsettings or environment): <c>Agency__Authority</c> (the OnePass issuer),
/// <c>Agency__ClientId</c>, <c>Agency__ClientSecret</c>, <c>Agency__RequireHttpsMetadata</c>
/// (true unless you run OnePass over plain HTTP on your own machine), and optionally <c>Agency__AcrValues</c>
/// (the level of assurance to ask for, e.g. <c>urn:onepass:loa:3</c> for a passkey; CONTRACT §5).
/// </summary>
public partial class Program
{
    public static void Main(string[] args) => CreateApp(args).Run();

    public static WebApplication CreateApp(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var agency = AgencyOptions.From(builder.Configuration);

        builder.Services.AddAntiforgery();
        builder.Services.AddAuthorization();

        // Sessions ended by OnePass (single logout). In memory: one server only; see ILogoutStore.
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<ILogoutStore, InMemoryLogoutStore>();

        builder.Services.AddAuthentication(options =>
            {
                // The local session lives in a cookie; whoever is not signed in is sent to OnePass.
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(options =>
            {
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;

                // Single logout: refuse (and delete) a local session whose OnePass session has ended since
                // the cookie was issued. sid and sub come from the ID token (MapInboundClaims = false below).
                options.Events.OnValidatePrincipal = async context =>
                {
                    var store = context.HttpContext.RequestServices.GetRequiredService<ILogoutStore>();
                    if (await store.IsEndedAsync(context.Principal?.FindFirst("sid")?.Value, context.Principal?.FindFirst("sub")?.Value,
                        context.Properties.IssuedUtc ?? DateTimeOffset.MinValue))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                    }
                };
            })
            .AddOpenIdConnect(options =>
            {
                // Endpoints and signing keys come from {Authority}/.well-known/openid-configuration.
                options.Authority = agency.Authority;
                options.RequireHttpsMetadata = agency.RequireHttpsMetadata;
                options.ClientId = agency.ClientId;
                options.ClientSecret = agency.ClientSecret;

                // Authorization code flow with PKCE S256: the only flow OnePass allows (RFC 9700 §2.1).
                // The handler answers at /signin-oidc and /signout-callback-oidc: register both with OnePass.
                options.ResponseType = OpenIdConnectResponseType.Code;
                options.UsePkce = true;
                options.Scope.Clear();
                options.Scope.Add("openid");
                options.Scope.Add("profile");
                options.Scope.Add("email");

                // Keep the ID token: RP-initiated logout sends it back as id_token_hint.
                options.SaveTokens = true;

                // Keep the claim names OnePass uses (sub, name, email…) instead of the old WS-* URIs,
                // and fetch the profile from the userinfo endpoint (the handler checks that its sub matches).
                options.MapInboundClaims = false;
                options.GetClaimsFromUserInfoEndpoint = true;
                options.TokenValidationParameters.NameClaimType = "name";

                // The handler drops acr by default; keep it: it is the level of assurance of the sign-in
                // (urn:onepass:loa:1 for a password) and an agency decides on it.
                options.ClaimActions.Remove("acr");

                if (!string.IsNullOrWhiteSpace(agency.AcrValues))
                {
                    // Integration guidance: to require a level of assurance, send acr_values with every
                    // authorization request (e.g. urn:onepass:loa:3 for a passkey with user verification).
                    // OnePass steps the citizen up or answers unmet_authentication_requirements; still check
                    // the acr claim of the ID token before trusting the level.
                    options.Events.OnRedirectToIdentityProvider = context =>
                    {
                        context.ProtocolMessage.AcrValues = agency.AcrValues;
                        return Task.CompletedTask;
                    };
                }

                if (!agency.RequireHttpsMetadata)
                {
                    // Local development over plain HTTP only: the handler's correlation and nonce cookies
                    // are Secure and SameSite=None by default; browsers drop SameSite=None cookies that are
                    // not Secure, so over http:// they are Lax (the agency and OnePass are then the same
                    // site, 127.0.0.1 or localhost, so the form_post still carries them).
                    options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                    options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                    options.CorrelationCookie.SameSite = SameSiteMode.Lax;
                    options.NonceCookie.SameSite = SameSiteMode.Lax;
                }
            });

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGet("/", (HttpContext context) => Html("Agency", context.User.Identity?.IsAuthenticated == true
            ? $"<p>Signed in as {Encode(context.User.Identity.Name)}. <a href=\"/me\">Your details</a></p>"
            : "<p><a href=\"/me\">Sign in with OnePass</a></p>"));

        // Requiring a signed-in user is all it takes: an anonymous visit is challenged, i.e. redirected to OnePass.
        app.MapGet("/me", (HttpContext context, IAntiforgery antiforgery) =>
        {
            // Everything OnePass said about the citizen, HTML-encoded like any other untrusted text.
            var rows = string.Concat(context.User.Claims.Select(claim =>
                $"<tr><td>{Encode(claim.Type)}</td><td>{Encode(claim.Value)}</td></tr>"));
            var tokens = antiforgery.GetAndStoreTokens(context);
            return Html("Your details",
                $"<table><thead><tr><th>Claim</th><th>Value</th></tr></thead><tbody>{rows}</tbody></table>" +
                "<form method=\"post\" action=\"/signout\">" +
                $"<input type=\"hidden\" name=\"{Encode(tokens.FormFieldName)}\" value=\"{Encode(tokens.RequestToken)}\" />" +
                "<button type=\"submit\">Sign out</button></form>");
        }).RequireAuthorization();

        // Signing out of the cookie ends the local session; signing out of the OpenID Connect scheme
        // redirects to OnePass's end_session_endpoint with id_token_hint and
        // post_logout_redirect_uri=/signout-callback-oidc (RP-Initiated Logout 1.0 §2), which comes back here.
        // A POST with an antiforgery token, so that another site cannot sign the citizen out.
        app.MapPost("/signout", async (HttpContext context, IAntiforgery antiforgery) =>
            await antiforgery.IsRequestValidAsync(context)
                ? Results.SignOut(
                    new AuthenticationProperties { RedirectUri = "/" },
                    [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme])
                : Results.BadRequest("The sign-out form was not valid; reload the page and try again."));

        // OnePass's back-channel and front-channel logout requests (Logout.cs).
        app.MapOnePassLogout();

        return app;
    }

    private static string Encode(string? value) => HtmlEncoder.Default.Encode(value ?? string.Empty);

    private static IResult Html(string title, string body) => Results.Content(
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{Encode(title)}</title></head>" +
        $"<body><h1>{Encode(title)}</h1>{body}</body></html>",
        "text/html; charset=utf-8");
}

/// <summary>The <c>Agency</c> configuration section, checked at start so a missing value fails fast.</summary>
public sealed class AgencyOptions
{
    public const string SectionName = "Agency";

    public string Authority { get; set; } = string.Empty;

    public string ClientId { get; set; } = string.Empty;

    public string? ClientSecret { get; set; }

    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Optional <c>acr_values</c> for every sign-in (space-separated levels); none when empty.</summary>
    public string? AcrValues { get; set; }

    public static AgencyOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(SectionName).Get<AgencyOptions>() ?? new AgencyOptions();
        if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out _) || string.IsNullOrWhiteSpace(options.ClientId))
        {
            throw new InvalidOperationException($"Set {SectionName}__Authority (the OnePass issuer URL) and {SectionName}__ClientId.");
        }

        return options;
    }
}
