using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OnePass.TestKit;
using OpenIddict.Server;

namespace OnePass.IdentityProvider.Tests.Protocol;

public sealed class TokenEndpointTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private readonly OnePassHost _host = fixture.Host;

    [Theory]
    [Trait(Catalogue.Row, "IN-TK-01")]
    [InlineData(null, "invalid_request")]
    [InlineData("password", "unsupported_grant_type")]
    [InlineData("implicit", "unsupported_grant_type")]
    [InlineData("urn:example:unknown-grant", "unsupported_grant_type")]
    public async Task Token_WithMissingOrUnsupportedGrantType_Returns400(string? grantType, string error)
    {
        var tokens = new TokenClient(_host.CreateProtocolClient());

        var response = await tokens.PostAsync("/connect/token", TestSeed.TaxClient, TestSeed.TaxSecret, new()
        {
            ["grant_type"] = grantType,
            ["username"] = TestSeed.Citizen,
            ["password"] = TestSeed.Password,
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(error, response.Error);
        Assert.Null(response["access_token"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-04")]
    [Trait(Catalogue.Row, "AT-10")]
    public async Task Token_WithCodeOfAnotherClient_ReturnsInvalidGrant_AndLeavesTheCodeUsable()
    {
        var (request, code) = await Agency.Tax.CodeAsync(_host);
        var tokens = new TokenClient(_host.CreateProtocolClient());

        var stolen = await tokens.RedeemCodeAsync(TestSeed.HealthClient, TestSeed.HealthSecret, code, request.CodeVerifier, TestSeed.TaxRedirect);
        var owner = await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, request.CodeVerifier, TestSeed.TaxRedirect);

        Assert.Equal(HttpStatusCode.BadRequest, stolen.Status);
        Assert.Equal("invalid_grant", stolen.Error);
        Assert.Equal(HttpStatusCode.OK, owner.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-10")]
    public async Task Token_WithVictimCodeAndAttackerVerifier_ReturnsInvalidGrant()
    {
        var (_, code) = await Agency.Tax.CodeAsync(_host);
        var tokens = new TokenClient(_host.CreateProtocolClient());

        var injected = await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, Pkce.NewVerifier(), TestSeed.TaxRedirect);

        Assert.Equal(HttpStatusCode.BadRequest, injected.Status);
        Assert.Equal("invalid_grant", injected.Error);
        Assert.Null(injected["id_token"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-05")]
    public async Task Token_WithOtherRegisteredRedirectUri_ReturnsInvalidGrant()
    {
        var (request, code) = await Agency.Tax.CodeAsync(_host);
        var tokens = new TokenClient(_host.CreateProtocolClient());

        var response = await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, request.CodeVerifier, TestSeed.TaxSecondRedirect);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_grant", response.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-06")]
    [Trait(Catalogue.Row, "AT-09")]
    public async Task Token_WithoutCodeVerifier_WhenChallengeWasSent_IsRefused()
    {
        var (_, code) = await Agency.Tax.CodeAsync(_host);
        var tokens = new TokenClient(_host.CreateProtocolClient());

        var response = await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, null, TestSeed.TaxRedirect);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(response.Error, new[] { "invalid_request", "invalid_grant" });
        Assert.Null(response["access_token"]);
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-TK-06")]
    [InlineData("wrong")]
    [InlineData("a")]
    [InlineData("200")]
    [InlineData("illegal")]
    public async Task Token_WithBadCodeVerifier_IsRefused(string kind)
    {
        var (_, code) = await Agency.Tax.CodeAsync(_host);
        var tokens = new TokenClient(_host.CreateProtocolClient());
        var verifier = kind switch
        {
            "wrong" => Pkce.NewVerifier(),
            "a" => "a",
            "200" => new string('a', 200),
            _ => new string('a', 43) + "!\"#$ é",
        };

        var response = await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, verifier, TestSeed.TaxRedirect);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(response.Error, new[] { "invalid_request", "invalid_grant" });
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-06")]
    public async Task Token_AfterAFailedCodeVerifier_TheCodeIsBurned()
    {
        var (request, code) = await Agency.Tax.CodeAsync(_host);
        var tokens = new TokenClient(_host.CreateProtocolClient());
        await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, Pkce.NewVerifier(), TestSeed.TaxRedirect);

        var retry = await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, request.CodeVerifier, TestSeed.TaxRedirect);

        Assert.Equal(HttpStatusCode.BadRequest, retry.Status);
        Assert.Equal("invalid_grant", retry.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-09")]
    public async Task Token_WithCodeVerifier_WhenNoChallengeWasSent_IsRefused()
    {
        var request = new AuthorizationRequest(TestSeed.LegacyClient, TestSeed.LegacyRedirect)
        {
            Scope = "openid profile",
            CodeChallenge = null,
            CodeChallengeMethod = null,
        };
        using var browser = _host.CreateBrowser();
        var code = (await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password))).Code;
        Assert.NotNull(code);
        var tokens = new TokenClient(_host.CreateProtocolClient());

        var response = await tokens.RedeemCodeAsync(TestSeed.LegacyClient, TestSeed.LegacySecret, code, request.CodeVerifier, TestSeed.LegacyRedirect);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(response.Error, new[] { "invalid_request", "invalid_grant" });
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-09")]
    public async Task Authorize_WithoutChallenge_ForPkceClient_ReturnsInvalidRequest()
    {
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { CodeChallenge = null, CodeChallengeMethod = null };
        using var browser = _host.CreateBrowser();

        var response = await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password));

        Assert.Equal("invalid_request", response.Error);
        Assert.Null(response.Code);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-07")]
    public async Task Token_WithCodeOlderThanItsLifetime_ReturnsInvalidGrant()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureServices = services => services.Configure<OpenIddictServerOptions>(options => options.TimeProvider = clock),
        });
        var (request, code) = await Agency.Tax.CodeAsync(host);
        clock.Advance(TimeSpan.FromSeconds(61));
        var tokens = new TokenClient(host.CreateProtocolClient());

        var response = await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, request.CodeVerifier, TestSeed.TaxRedirect);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_grant", response.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-02")]
    public async Task Token_CodeReplayAfterThirtySeconds_IsRefusedAndRevokesTheFirstTokens()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureServices = services => services.Configure<OpenIddictServerOptions>(options => options.TimeProvider = clock),
        });
        var (request, code) = await Agency.Tax.CodeAsync(host);
        var tokens = new TokenClient(host.CreateProtocolClient());
        var first = await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, request.CodeVerifier, TestSeed.TaxRedirect);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        clock.Advance(TimeSpan.FromSeconds(30));

        var replay = await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, request.CodeVerifier, TestSeed.TaxRedirect);

        Assert.Equal("invalid_grant", replay.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tokens.UserInfoAsync(first["access_token"]!)).Status);
        Assert.Equal("false", (await tokens.IntrospectAsync(TestSeed.TaxClient, TestSeed.TaxSecret, first["access_token"]!))["active"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-10")]
    [Trait(Catalogue.Row, "AT-37")]
    public async Task Token_PairwiseSubject_DiffersPerSector_AndIsStableAcrossSignIns()
    {
        var tax1 = await Agency.Tax.TokensAsync(_host);
        var tax2 = await Agency.Tax.TokensAsync(_host);
        var health = await Agency.Health.TokensAsync(_host);

        var taxSub1 = Tokens.Read(tax1["id_token"]!).Subject;
        var taxSub2 = Tokens.Read(tax2["id_token"]!).Subject;
        var healthSub = Tokens.Read(health["id_token"]!).Subject;

        Assert.Equal(taxSub1, taxSub2);
        Assert.NotEqual(taxSub1, healthSub);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-10")]
    public async Task Token_Success_IsNotCachedAndCarriesTheIdTokenClaims()
    {
        var (request, code) = await Agency.Health.CodeAsync(_host);
        var tokens = new TokenClient(_host.CreateProtocolClient());

        var response = await tokens.RedeemCodeAsync(TestSeed.HealthClient, TestSeed.HealthSecret, code, request.CodeVerifier, TestSeed.HealthRedirect);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(response.Response.Headers.CacheControl?.NoStore);
        Assert.Equal("Bearer", response["token_type"]);
        var idToken = await Tokens.ValidateIdTokenAsync(_host.CreateProtocolClient(), _host.Issuer, response["id_token"]!, TestSeed.HealthClient);
        Assert.Equal(request.Nonce, idToken.GetClaim("nonce").Value);
        Assert.True(idToken.TryGetPayloadValue<long>("auth_time", out var authTime) && authTime > 0);
        Assert.True(idToken.TryGetPayloadValue<long>("iat", out _));
        Assert.False(string.IsNullOrEmpty(idToken.GetClaim("sid").Value));
        Assert.Equal("urn:onepass:loa:1", idToken.GetClaim("acr").Value);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-13")]
    public async Task Token_ClientCredentials_ForClientWithoutThatGrant_ReturnsUnauthorizedClient()
    {
        var tokens = new TokenClient(_host.CreateProtocolClient());

        var response = await tokens.ClientCredentialsAsync(TestSeed.TaxClient, TestSeed.TaxSecret);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("unauthorized_client", response.Error);
        Assert.Null(response["access_token"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-13")]
    public async Task Token_ClientCredentials_WithOpenIdScope_ReturnsErrorAndNoIdToken()
    {
        var tokens = new TokenClient(_host.CreateProtocolClient());

        var response = await tokens.ClientCredentialsAsync(TestSeed.MachineClient, TestSeed.MachineSecret, "openid");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_scope", response.Error);
        Assert.Null(response["id_token"]);
        Assert.Null(response["access_token"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-13")]
    public async Task Token_ClientCredentials_IssuesAnAccessTokenThatIntrospectsActive()
    {
        var tokens = new TokenClient(_host.CreateProtocolClient());

        var response = await tokens.ClientCredentialsAsync(TestSeed.MachineClient, TestSeed.MachineSecret, "profile");
        var introspection = await tokens.IntrospectAsync(TestSeed.MachineClient, TestSeed.MachineSecret, response["access_token"]!);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Null(response["id_token"]);
        Assert.Null(response["refresh_token"]);
        Assert.Equal("true", introspection["active"]);
        Assert.Equal(TestSeed.MachineClient, introspection["client_id"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-01")]
    public async Task Token_CodeReplay_ReturnsInvalidGrant()
    {
        var (request, code) = await Agency.Tax.CodeAsync(_host);
        var tokens = new TokenClient(_host.CreateProtocolClient());
        await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, request.CodeVerifier, TestSeed.TaxRedirect);

        var replay = await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, request.CodeVerifier, TestSeed.TaxRedirect);

        Assert.Equal(HttpStatusCode.BadRequest, replay.Status);
        Assert.Equal("invalid_grant", replay.Error);
        Assert.Null(replay["access_token"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-01")]
    [Trait(Catalogue.Row, "FT-06")]
    public async Task Token_SameCodeFiveTimesInParallel_YieldsOneTokenSet()
    {
        var (request, code) = await Agency.Tax.CodeAsync(_host);
        var tokens = new TokenClient(_host.CreateProtocolClient());

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, request.CodeVerifier, TestSeed.TaxRedirect)));

        Assert.All(responses, response => Assert.True((int)response.Status < 500, response.Body));
        Assert.Equal(1, responses.Count(response => response.Status == HttpStatusCode.OK));
        Assert.All(responses.Where(response => response.Status != HttpStatusCode.OK), response => Assert.Equal("invalid_grant", response.Error));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-01")]
    public async Task Token_CodeReplay_RevokesTheTokensOfTheFirstRedemption()
    {
        var (request, code) = await Agency.Tax.CodeAsync(_host);
        var tokens = new TokenClient(_host.CreateProtocolClient());
        var first = await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, request.CodeVerifier, TestSeed.TaxRedirect);
        Assert.Equal(HttpStatusCode.OK, first.Status);

        await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, request.CodeVerifier, TestSeed.TaxRedirect);

        var userInfo = await tokens.UserInfoAsync(first["access_token"]!);
        var introspection = await tokens.IntrospectAsync(TestSeed.TaxClient, TestSeed.TaxSecret, first["access_token"]!);
        var refresh = await tokens.RefreshAsync(TestSeed.TaxClient, TestSeed.TaxSecret, first["refresh_token"]!);
        Assert.Equal(HttpStatusCode.Unauthorized, userInfo.Status);
        Assert.Equal("false", introspection["active"]);
        Assert.Equal("invalid_grant", refresh.Error);
    }
}
