using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using OnePass.AdminConsole.Infrastructure.AdminApi;
using OnePass.AdminConsole.Infrastructure.Authentication;

namespace OnePass.AdminConsole.Tests;

/// <summary>
/// The admin console in memory: a test authentication scheme instead of OpenID Connect (the principal is chosen
/// per request with the X-Test-* headers: an administrator at urn:onepass:loa:2 unless told otherwise), a fixed
/// access token instead of the session's, and <see cref="StubAdminApi"/> instead of the identity provider.
/// </summary>
public sealed class ConsoleHost : WebApplicationFactory<Program>
{
    public const string ChallengeLocation = "https://onepass.test/connect/authorize";

    public StubAdminApi Api { get; } = new();

    public TestTokens Tokens { get; } = new();

    /// <summary>OnePass's token signing key as the console knows it (from "discovery"): signs test logout tokens.</summary>
    public RsaSecurityKey SigningKey { get; } = new(RSA.Create(2048)) { KeyId = "test-key" };

    public const string Issuer = "https://onepass.test/";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("OnePass:Authority", "https://onepass.test");
        builder.ConfigureTestServices(services =>
        {
            services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, _ => { });
            services.PostConfigure<AuthenticationOptions>(options =>
            {
                options.DefaultScheme = TestAuthHandler.SchemeName;
                options.DefaultAuthenticateScheme = TestAuthHandler.SchemeName;
                options.DefaultChallengeScheme = TestAuthHandler.SchemeName;
                // Forbid stays with the cookie handler, which sends the user to the access-denied page.
            });
            services.AddSingleton<IAccessTokenSource>(Tokens);

            // OnePass's metadata without a discovery request: issuer and signing keys for logout tokens.
            services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options =>
            {
                var configuration = new OpenIdConnectConfiguration { Issuer = Issuer, TokenEndpoint = Issuer + "connect/token" };
                configuration.SigningKeys.Add(SigningKey);
                options.Configuration = configuration;
            });
            services.AddHttpClient<AdminApiClient>().ConfigurePrimaryHttpMessageHandler(() => new NonDisposingHandler(Api));
        });
    }

    /// <summary>A browser-like client: cookies kept, redirects not followed.</summary>
    public HttpClient Browser(string? role = AdminPolicy.AdminRole, string? acr = AdminPolicy.RequiredAcr)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Add(TestAuthHandler.RoleHeader, role ?? "none");
        client.DefaultRequestHeaders.Add(TestAuthHandler.AcrHeader, acr ?? "none");
        return client;
    }

    public static async Task<IHtmlDocument> ParseAsync(HttpResponseMessage response) =>
        await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());

    /// <summary>
    /// Submits the page's form (the first one whose action ends with <paramref name="handler"/> when given) the way
    /// a browser would: its current values, antiforgery token included, with <paramref name="changes"/> applied
    /// (a value list replaces every value of that name).
    /// </summary>
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string pageUrl, IDictionary<string, string[]> changes, string? handler = null)
    {
        using var page = await client.GetAsync(pageUrl);
        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        var document = await ParseAsync(page);
        var form = document.Forms.First(f => f.Method.Equals("post", StringComparison.OrdinalIgnoreCase) &&
            !f.Action.EndsWith("/signout", StringComparison.Ordinal) &&
            (handler is null || f.Action.Contains("handler=" + handler, StringComparison.OrdinalIgnoreCase)));
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var element in form.Elements)
        {
            switch (element)
            {
                case IHtmlInputElement input when !string.IsNullOrEmpty(input.Name) && input.Type is not "submit" and not "file":
                    if ((input.Type is "checkbox" or "radio") && !input.IsChecked)
                    {
                        break;
                    }

                    fields.Add(new(input.Name!, input.Value));
                    break;
                case IHtmlTextAreaElement textArea when !string.IsNullOrEmpty(textArea.Name):
                    fields.Add(new(textArea.Name!, textArea.Value));
                    break;
                case IHtmlSelectElement select when !string.IsNullOrEmpty(select.Name):
                    fields.Add(new(select.Name!, select.Value ?? string.Empty));
                    break;
            }
        }

        fields.RemoveAll(field => changes.ContainsKey(field.Key));
        fields.AddRange(changes.SelectMany(change => change.Value.Select(value => new KeyValuePair<string, string>(change.Key, value))));
        var action = string.IsNullOrEmpty(form.GetAttribute("action")) ? pageUrl : form.GetAttribute("action")!;
        using var content = new FormUrlEncodedContent(fields);
        return await client.PostAsync(action, content);
    }

    /// <summary>Lets the host's handler pipeline come and go without disposing the shared stub.</summary>
    private sealed class NonDisposingHandler(HttpMessageHandler stub) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _invoker = new(stub, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            _invoker.SendAsync(request, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _invoker.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>Signs in whoever the X-Test-Role / X-Test-Acr headers describe; challenges by redirecting to a fake OnePass.</summary>
public sealed class TestAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, Microsoft.Extensions.Logging.ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Test";
    public const string RoleHeader = "X-Test-Role";
    public const string AcrHeader = "X-Test-Acr";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var role = Request.Headers[RoleHeader].ToString();
        var acr = Request.Headers[AcrHeader].ToString();
        if (string.IsNullOrEmpty(role) && string.IsNullOrEmpty(acr))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var claims = new List<Claim> { new("sub", "admin-sub"), new("sid", "session-1"), new("name", "Ada Admin") };
        if (role is { Length: > 0 } and not "none")
        {
            claims.Add(new Claim("role", role));
        }

        if (acr is { Length: > 0 } and not "none")
        {
            claims.Add(new Claim("acr", acr));
        }

        var identity = new ClaimsIdentity(claims, SchemeName, "name", "role");
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Redirect(ConsoleHost.ChallengeLocation + "?returnUrl=" + Uri.EscapeDataString(properties.RedirectUri ?? "/"));
        return Task.CompletedTask;
    }
}

/// <summary>The access token the console sends; <see cref="SignInRequired"/> makes it behave like a refused refresh.</summary>
public sealed class TestTokens : IAccessTokenSource
{
    public const string AccessToken = "test-access-token";

    public bool SignInRequired { get; set; }

    public Task<string> GetAccessTokenAsync(CancellationToken cancellationToken) => SignInRequired
        ? throw new AdminApiSignInRequiredException("OnePass refused the refresh token (invalid_grant).")
        : Task.FromResult(AccessToken);
}
