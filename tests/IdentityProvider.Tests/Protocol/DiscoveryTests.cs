using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Protocol;

/// <summary>Discovery and JWKS (CATALOGUE IN-DS-01..04).</summary>
public sealed class DiscoveryTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private const string DiscoveryPath = "/.well-known/openid-configuration";
    private readonly OnePassHost _host = fixture.Host;

    private async Task<JsonElement> DiscoveryAsync(HttpClient? client = null)
    {
        using var http = client ?? _host.CreateProtocolClient();
        return JsonDocument.Parse(await http.GetStringAsync(DiscoveryPath)).RootElement.Clone();
    }

    private static IEnumerable<string> Strings(JsonElement discovery, string name) =>
        discovery.GetProperty(name).EnumerateArray().Select(item => item.GetString()!);

    private static IEnumerable<string> EndpointUrls(JsonElement discovery) => discovery.EnumerateObject()
        .Where(property => property.Name == "issuer" || property.Name.EndsWith("_endpoint", StringComparison.Ordinal) || property.Name == "jwks_uri")
        .Select(property => property.Value.GetString()!);

    [Fact]
    [Trait(Catalogue.Row, "IN-DS-01")]
    [Trait(Catalogue.Row, "AT-35")]
    public async Task Discovery_WithForgedHostAndForwardedHeaders_KeepsConfiguredIssuer()
    {
        using var http = _host.CreateProtocolClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, DiscoveryPath);
        request.Headers.Host = "evil.example";
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");

        var response = await http.SendAsync(request);
        var discovery = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_host.Issuer.ToString(), discovery.GetProperty("issuer").GetString());
        Assert.All(EndpointUrls(discovery), url => Assert.StartsWith(_host.Issuer.ToString(), url, StringComparison.Ordinal));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-DS-02")]
    public async Task Discovery_AdvertisesCodeFlowOnly()
    {
        var discovery = await DiscoveryAsync();

        Assert.Equal(["code"], Strings(discovery, "response_types_supported"));
        Assert.DoesNotContain("password", Strings(discovery, "grant_types_supported"));
        Assert.DoesNotContain("implicit", Strings(discovery, "grant_types_supported"));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-DS-02")]
    public async Task Discovery_AdvertisesS256PkceOnly()
    {
        var discovery = await DiscoveryAsync();

        Assert.Equal(["S256"], Strings(discovery, "code_challenge_methods_supported"));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-DS-02")]
    [Trait(Catalogue.Row, "AT-11")]
    public async Task Discovery_AdvertisesEndSessionAndIssuerParameter()
    {
        var discovery = await DiscoveryAsync();

        Assert.Equal(new Uri(_host.Issuer, "connect/endsession").ToString(), discovery.GetProperty("end_session_endpoint").GetString());
        Assert.True(discovery.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-DS-02")]
    public async Task Discovery_InProduction_ListsOnlyHttpsUrls()
    {
        const string issuer = "https://id.onepass.example/";
        using var host = new OnePassHost(new OnePassHostOptions
        {
            Environment = "Production",
            Seed = new JsonObject { ["clients"] = new JsonArray(), ["users"] = new JsonArray() }, // the test seed's http URIs need RequireHttps=false
            Settings = { ["OnePass:Issuer"] = issuer, ["OnePass:RequireHttps"] = "true" },
        });
        using var http = host.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri(issuer), AllowAutoRedirect = false });

        var discovery = await DiscoveryAsync(http);

        Assert.Equal(issuer, discovery.GetProperty("issuer").GetString());
        Assert.All(EndpointUrls(discovery), url => Assert.StartsWith(issuer, url, StringComparison.Ordinal));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-DS-03")]
    public async Task Jwks_PublishesPublicMembersOnly_WithDistinctKidsUseAndAlg()
    {
        using var http = _host.CreateProtocolClient();
        var discovery = await DiscoveryAsync();

        var jwks = JsonDocument.Parse(await http.GetStringAsync(discovery.GetProperty("jwks_uri").GetString())).RootElement;
        var keys = jwks.GetProperty("keys").EnumerateArray().ToList();

        Assert.NotEmpty(keys);
        Assert.All(keys, key =>
        {
            Assert.All(new[] { "d", "p", "q", "dp", "dq", "qi", "k" }, member => Assert.False(key.TryGetProperty(member, out _), member));
            Assert.False(string.IsNullOrEmpty(key.GetProperty("use").GetString()));
            Assert.False(string.IsNullOrEmpty(key.GetProperty("alg").GetString()));
        });
        Assert.Equal(keys.Count, keys.Select(key => key.GetProperty("kid").GetString()).Distinct().Count());
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-DS-04")]
    [InlineData("POST", DiscoveryPath)]
    [InlineData("PUT", DiscoveryPath)]
    [InlineData("DELETE", DiscoveryPath)]
    [InlineData("POST", "/.well-known/jwks")]
    [InlineData("PUT", "/.well-known/jwks")]
    [InlineData("DELETE", "/.well-known/jwks")]
    public async Task DiscoveryAndJwks_WithMethodOtherThanGet_Answer405(string method, string path)
    {
        using var http = _host.CreateProtocolClient();

        var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("GET", response.Content.Headers.Allow);
    }
}
