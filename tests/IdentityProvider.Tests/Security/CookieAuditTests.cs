using System.Text.Json.Nodes;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Security;

/// <summary>
/// The cookies OnePass sets over HTTPS in Production (CATALOGUE AT-26): the session and antiforgery
/// cookies are <c>__Host-</c> prefixed, Secure, HttpOnly, path /, SameSite Lax (session) or Strict
/// (antiforgery), and no readable cookie carries the username or request data.
/// </summary>
public sealed class CookieAuditTests : IDisposable
{
    private static readonly Uri Issuer = new("https://id.example.test/");

    private readonly OnePassHost _host = new(new OnePassHostOptions
    {
        Environment = "Production",
        Seed = new JsonObject { ["users"] = new JsonArray(TestSeed.User(TestSeed.Citizen, "c1@example.test", "Kim Citizen")) },
        Settings = { ["OnePass:Issuer"] = Issuer.ToString(), ["OnePass:RequireHttps"] = "true" },
    });

    public void Dispose() => _host.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "AT-26")]
    public async Task SignIn_OverHttps_SetsHostPrefixedSecureHttpOnlyCookies()
    {
        _host.EnsureStarted();
        using var browser = new BrowserClient(new HttpClient(_host.Server.CreateHandler()) { BaseAddress = Issuer }, _host);
        var loginPage = await browser.GetAsync("/account/login");
        var antiforgery = SetCookies(loginPage).Single(cookie => cookie.StartsWith("__Host-onepass.antiforgery=", StringComparison.Ordinal));
        var page = new BrowserPage(new Uri(Issuer, "/account/login"), loginPage, await loginPage.Content.ReadAsStringAsync());
        var fields = page.Form().Fields.Where(field => field.Key is not "username" and not "password").ToList();
        fields.Add(new("username", TestSeed.Citizen));
        fields.Add(new("password", TestSeed.Password));

        var signedIn = await browser.PostFormAsync("/account/login", fields);
        // Sign-in first expires any older session cookie (no fixation), then sets the new one.
        var session = SetCookies(signedIn).Last(cookie => cookie.StartsWith("__Host-onepass=", StringComparison.Ordinal));

        Assert.StartsWith("__Host-", antiforgery, StringComparison.Ordinal);
        foreach (var (cookie, sameSite) in new[] { (antiforgery, "samesite=strict"), (session, "samesite=lax") })
        {
            var attributes = cookie.ToLowerInvariant();
            Assert.Contains("secure", attributes, StringComparison.Ordinal);
            Assert.Contains("httponly", attributes, StringComparison.Ordinal);
            Assert.Contains("path=/", attributes, StringComparison.Ordinal);
            Assert.Contains(sameSite, attributes, StringComparison.Ordinal);
            Assert.DoesNotContain("domain=", attributes, StringComparison.Ordinal);
            Assert.DoesNotContain(TestSeed.Citizen, cookie, StringComparison.Ordinal);
        }
    }

    private static string[] SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? [.. values] : [];
}
