using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Security;

/// <summary>
/// Production defaults (CONTRACT §2): HTTPS required unless switched off, HSTS for a year, and the issuer
/// always the configured one, whatever Host or X-Forwarded-* headers say (CATALOGUE AT-36, IN-DS-01, AT-35).
/// </summary>
public sealed class TransportSecurityTests : IDisposable
{
    private const string Issuer = "https://id.example.test/";

    // Production with OnePass:RequireHttps not set (the test host's "false" is removed). The default test
    // seed's http loopback redirect URIs are refused there, so only the machine client is seeded.
    private readonly OnePassHost _host = new(new OnePassHostOptions
    {
        Environment = "Production",
        Seed = new JsonObject
        {
            ["clients"] = new JsonArray(TestSeed.Client(TestSeed.MachineClient, TestSeed.MachineSecret, "Batch Service", [], [], "implicit",
                ["client_credentials"], ["openid"])),
        },
        Settings =
        {
            ["OnePass:Issuer"] = Issuer,
            ["OnePass:RequireHttps"] = null,
        },
    });

    public void Dispose() => _host.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "AT-36")]
    public async Task Token_OverPlainHttpInProduction_IsRefused()
    {
        var tokens = new TokenClient(_host.CreateProtocolClient()); // the in-memory server speaks http

        var response = await tokens.ClientCredentialsAsync(TestSeed.MachineClient, TestSeed.MachineSecret);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Null(response["access_token"]);
        Assert.Contains("HTTPS", response["error_description"] ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-36")]
    [Trait(Catalogue.Row, "IN-DS-01")]
    public async Task Token_OverPlainHttpClaimingHttpsInForwardedProto_IsRefused()
    {
        var http = _host.CreateProtocolClient();
        http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https"); // not from a configured proxy
        var tokens = new TokenClient(http);

        var response = await tokens.ClientCredentialsAsync(TestSeed.MachineClient, TestSeed.MachineSecret);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Null(response["access_token"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-36")]
    public async Task LoginPage_OverPlainHttpInProduction_RedirectsToHttps()
    {
        using var http = _host.CreateProtocolClient();

        using var response = await http.GetAsync("/account/login");

        Assert.True((int)response.StatusCode is 307 or 308, $"{response.StatusCode} {response.Headers.Location}");
        Assert.Equal(Uri.UriSchemeHttps, response.Headers.Location?.Scheme);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-36")]
    public async Task LoginPage_OverHttpsInProduction_IsServed()
    {
        using var http = HttpsClient();

        using var response = await http.GetAsync("/account/login");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-36")]
    public async Task Token_OverHttpsInProduction_IsServed()
    {
        var tokens = new TokenClient(HttpsClient());

        var response = await tokens.ClientCredentialsAsync(TestSeed.MachineClient, TestSeed.MachineSecret);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.NotNull(response["access_token"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-36")]
    public async Task HttpsResponse_InProduction_CarriesHstsOfAtLeastOneYear()
    {
        using var http = HttpsClient();

        using var response = await http.GetAsync("/health/live");

        var hsts = Assert.Single(response.Headers.GetValues("Strict-Transport-Security"));
        Assert.Contains("max-age=31536000", hsts, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-DS-01")]
    [Trait(Catalogue.Row, "AT-35")]
    public async Task Discovery_WithForgedHostAndForwardedHeaders_KeepsTheConfiguredIssuer()
    {
        using var http = HttpsClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://evil.example/.well-known/openid-configuration");
        request.Headers.Add("X-Forwarded-Host", "attacker.example");
        request.Headers.Add("X-Forwarded-Proto", "http");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");

        using var response = await http.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var discovery = JsonDocument.Parse(body);
        Assert.Equal(Issuer, discovery.RootElement.GetProperty("issuer").GetString());
        var endpoints = discovery.RootElement.EnumerateObject().Where(member => member.Name.EndsWith("_endpoint", StringComparison.Ordinal) || member.Name == "jwks_uri").ToList();
        Assert.NotEmpty(endpoints);
        Assert.All(endpoints, endpoint => Assert.StartsWith(Issuer, endpoint.Value.GetString(), StringComparison.Ordinal));
    }

    private HttpClient HttpsClient() =>
        _host.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri(Issuer), AllowAutoRedirect = false, HandleCookies = false });
}
