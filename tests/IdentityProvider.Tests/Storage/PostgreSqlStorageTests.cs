using System.Net;
using System.Text.Json;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Storage;

/// <summary>
/// The code flow of <c>Flows/CodeFlowTests</c> on real PostgreSQL (issue: "the same end-to-end flow
/// against real PostgreSQL as against SQLite"); that the host starts at all proves the migrations apply.
/// </summary>
public sealed class PostgreSqlStorageTests(PostgreSqlHostFixture fixture) : IClassFixture<PostgreSqlHostFixture>
{
    private readonly OnePassHost _host = fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "FT-01")]
    public async Task Ready_OnPostgreSql_Returns200()
    {
        var ready = await _host.CreateProtocolClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-10")]
    public async Task CodeFlow_OnPostgreSql_IssuesValidatedIdTokenAndUserInfo()
    {
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Scope = "openid profile email offline_access" };

        var (response, redeemed) = await SignInAndRedeemAsync(request);

        Assert.Equal(request.State, response.Parameters["state"]);
        Assert.Equal(_host.Issuer.ToString(), response.Parameters["iss"]);
        Assert.Contains("no-store", redeemed.Response.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal("Bearer", redeemed["token_type"]);
        Assert.NotNull(redeemed["refresh_token"]);

        var idToken = await Tokens.ValidateIdTokenAsync(_host.CreateProtocolClient(), _host.Issuer, redeemed["id_token"]!, TestSeed.TaxClient);
        Assert.Equal(request.Nonce, idToken.GetClaim("nonce").Value);
        Assert.Equal("urn:onepass:loa:1", idToken.GetClaim("acr").Value);
        Assert.Equal("[\"pwd\"]", idToken.GetPayloadValue<JsonElement>("amr").GetRawText());
        Assert.False(string.IsNullOrEmpty(idToken.GetClaim("sid").Value));
        Assert.True(idToken.TryGetPayloadValue<long>("auth_time", out _));
        Assert.Equal("Kim Citizen", idToken.GetClaim("name").Value);
        Assert.Equal("c1@example.test", idToken.GetClaim("email").Value);

        var userInfo = await new TokenClient(_host.CreateProtocolClient()).UserInfoAsync(redeemed["access_token"]!);
        Assert.Equal(HttpStatusCode.OK, userInfo.Status);
        Assert.Equal(idToken.Subject, userInfo["sub"]);
        Assert.Equal("c1@example.test", userInfo["email"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-10")]
    public async Task Refresh_OnPostgreSql_IssuesNewTokensForTheSameSubject()
    {
        var (_, redeemed) = await SignInAndRedeemAsync(new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Scope = "openid profile email offline_access" });
        var tokens = new TokenClient(_host.CreateProtocolClient());

        var refreshed = await tokens.RefreshAsync(TestSeed.TaxClient, TestSeed.TaxSecret, redeemed["refresh_token"]!);

        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.NotNull(refreshed["refresh_token"]);
        Assert.NotEqual(redeemed["refresh_token"], refreshed["refresh_token"]);
        var idToken = await Tokens.ValidateIdTokenAsync(_host.CreateProtocolClient(), _host.Issuer, refreshed["id_token"]!, TestSeed.TaxClient);
        var userInfo = await tokens.UserInfoAsync(refreshed["access_token"]!);
        Assert.Equal(HttpStatusCode.OK, userInfo.Status);
        Assert.Equal(Tokens.Read(redeemed["id_token"]!).Subject, idToken.Subject);
        Assert.Equal(idToken.Subject, userInfo["sub"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-04")]
    public async Task Refresh_OnPostgreSql_ReplayedToken_IsRefusedAndRevokesItsSuccessor()
    {
        var (_, redeemed) = await SignInAndRedeemAsync(new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Scope = "openid offline_access" });
        var tokens = new TokenClient(_host.CreateProtocolClient());
        var first = redeemed["refresh_token"]!;
        var second = await tokens.RefreshAsync(TestSeed.TaxClient, TestSeed.TaxSecret, first);
        Assert.Equal(HttpStatusCode.OK, second.Status);

        var replay = await tokens.RefreshAsync(TestSeed.TaxClient, TestSeed.TaxSecret, first);
        var successor = await tokens.RefreshAsync(TestSeed.TaxClient, TestSeed.TaxSecret, second["refresh_token"]!);

        Assert.Equal(HttpStatusCode.BadRequest, replay.Status);
        Assert.Equal("invalid_grant", replay.Error);
        Assert.Equal(HttpStatusCode.BadRequest, successor.Status);
        Assert.Equal("invalid_grant", successor.Error);
    }

    private async Task<(AuthorizationResponse Response, ProtocolResponse Redeemed)> SignInAndRedeemAsync(AuthorizationRequest request)
    {
        using var browser = _host.CreateBrowser();
        var response = await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password));
        Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status} {response.Page.Html[..Math.Min(3000, response.Page.Html.Length)]}");

        var redeemed = await new TokenClient(_host.CreateProtocolClient())
            .RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, response.Code!, request.CodeVerifier, TestSeed.TaxRedirect);
        Assert.True(redeemed.Status == HttpStatusCode.OK, redeemed.Body);
        return (response, redeemed);
    }
}
