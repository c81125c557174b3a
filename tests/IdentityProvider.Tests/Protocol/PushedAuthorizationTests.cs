using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Protocol;

/// <summary>Pushed authorization requests, RFC 9126 (CATALOGUE IN-PR-01).</summary>
public sealed class PushedAuthorizationTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private const string ParPath = "/connect/par";
    private static readonly (string, string) Citizen = (TestSeed.Citizen, TestSeed.Password);
    private readonly OnePassHost _host = fixture.Host;

    private static Dictionary<string, string?> Pushed(AuthorizationRequest request) =>
        request.Parameters().Where(pair => pair.Key != "client_id").ToDictionary(pair => pair.Key, pair => pair.Value);

    private static async Task<ProtocolResponse> PushAsync(OnePassHost host, AuthorizationRequest request, string secret) =>
        await new TokenClient(host.CreateProtocolClient()).PostAsync(ParPath, request.ClientId, secret, Pushed(request));

    private static AuthorizationRequest ByReference(string clientId, string requestUri) => new(clientId, null)
    {
        ResponseType = null, Scope = null, State = null, Nonce = null, CodeChallenge = null, CodeChallengeMethod = null,
        Extra = new() { ["request_uri"] = requestUri },
    };

    [Fact]
    [Trait(Catalogue.Row, "IN-PR-01")]
    public async Task Par_WithClientAuthentication_ThenAuthorizeByReference_IssuesRedeemableCode()
    {
        var request = new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect);
        using var browser = _host.CreateBrowser();

        var pushed = await PushAsync(_host, request, TestSeed.HealthSecret);
        Assert.Equal(HttpStatusCode.Created, pushed.Status);
        Assert.StartsWith("urn:ietf:params:oauth:request_uri:", pushed["request_uri"], StringComparison.Ordinal);
        var response = await browser.AuthorizeAsync(ByReference(TestSeed.HealthClient, pushed["request_uri"]!), Citizen);
        var tokens = await new TokenClient(_host.CreateProtocolClient())
            .RedeemCodeAsync(TestSeed.HealthClient, TestSeed.HealthSecret, response.Code!, request.CodeVerifier, TestSeed.HealthRedirect);

        Assert.Equal(request.State, response.Parameters["state"]);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        Assert.Equal(request.Nonce, Tokens.Read(tokens["id_token"]!).GetClaim("nonce").Value);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-PR-01")]
    public async Task Par_WithRequestUriInBody_IsRefused()
    {
        var request = new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect)
        {
            Extra = new() { ["request_uri"] = "urn:ietf:params:oauth:request_uri:abc" },
        };
        var before = await _host.CountRowsAsync();

        var pushed = await PushAsync(_host, request, TestSeed.HealthSecret);

        Assert.Equal(HttpStatusCode.BadRequest, pushed.Status);
        Assert.Equal("invalid_request", pushed.Error);
        Assert.Equal(before, await _host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-PR-01")]
    public async Task Par_WithGet_Answers405()
    {
        using var http = _host.CreateProtocolClient();

        var response = await http.GetAsync(ParPath + "?client_id=" + TestSeed.HealthClient);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-PR-01")]
    public async Task Par_WithoutClientAuthentication_ForConfidentialClient_IsRefused()
    {
        var request = new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect);

        var pushed = await new TokenClient(_host.CreateProtocolClient()).PostAsync(ParPath, request.ClientId, null, Pushed(request));

        Assert.Equal("invalid_client", pushed.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-PR-01")]
    public async Task Authorize_WithRequestUriReusedAfterLogin_IssuesNoSecondCode()
    {
        var request = new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect);
        using var browser = _host.CreateBrowser();
        var pushed = await PushAsync(_host, request, TestSeed.HealthSecret);
        var first = await browser.AuthorizeAsync(ByReference(TestSeed.HealthClient, pushed["request_uri"]!), Citizen);
        Assert.NotNull(first.Code);

        var again = await browser.AuthorizeAsync(ByReference(TestSeed.HealthClient, pushed["request_uri"]!));

        Assert.Null(again.Code);
        Assert.InRange((int)again.Page.Status, 400, 499);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-PR-01")]
    public async Task Authorize_WithOtherClientsRequestUri_ShowsErrorPage()
    {
        var request = new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect);
        using var browser = _host.CreateBrowser();
        var pushed = await PushAsync(_host, request, TestSeed.HealthSecret);

        var response = await browser.AuthorizeAsync(ByReference(TestSeed.TaxClient, pushed["request_uri"]!), Citizen);

        Assert.Null(response.Callback);
        Assert.InRange((int)response.Page.Status, 400, 499);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-PR-01")]
    public async Task Authorize_WithExpiredRequestUri_ShowsErrorPage()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = new OnePassHost(new OnePassHostOptions { ConfigureServices = services => services.AddSingleton<TimeProvider>(clock) });
        var request = new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect);
        using var browser = host.CreateBrowser();
        var pushed = await PushAsync(host, request, TestSeed.HealthSecret);
        clock.Advance(TimeSpan.FromMinutes(11));

        var response = await browser.AuthorizeAsync(ByReference(TestSeed.HealthClient, pushed["request_uri"]!), Citizen);

        Assert.Null(response.Callback);
        Assert.InRange((int)response.Page.Status, 400, 499);
    }
}
