using System.Net;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Flows;

/// <summary>
/// The end-to-end code flow with consent, run on each storage provider (IN-TK-10): the SQLite class is
/// below, the PostgreSQL one in <c>Storage/</c>.
/// </summary>
public abstract class CodeFlowTests(OnePassHost host)
{
    private readonly OnePassHost _host = host;

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-10")]
    public async Task CodeFlow_WithConsent_IssuesValidatedIdTokenAndUserInfo()
    {
        using var browser = _host.CreateBrowser();
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Scope = "openid profile email offline_access" };

        var response = await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password));

        Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status} {response.Page.Html[..Math.Min(3000, response.Page.Html.Length)]}");
        Assert.Equal(request.State, response.Parameters["state"]);
        Assert.Equal(_host.Issuer.ToString(), response.Parameters["iss"]);

        var tokens = new TokenClient(_host.CreateProtocolClient());
        var redeemed = await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, response.Code!, request.CodeVerifier, TestSeed.TaxRedirect);
        Assert.Equal(HttpStatusCode.OK, redeemed.Status);
        Assert.Contains("no-store", redeemed.Response.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal("Bearer", redeemed["token_type"]);
        Assert.NotNull(redeemed["refresh_token"]);

        var idToken = await Tokens.ValidateIdTokenAsync(_host.CreateProtocolClient(), _host.Issuer, redeemed["id_token"]!, TestSeed.TaxClient);
        Assert.Equal(request.Nonce, idToken.GetClaim("nonce").Value);
        Assert.Equal("urn:onepass:loa:1", idToken.GetClaim("acr").Value);
        Assert.Equal("[\"pwd\"]", idToken.GetPayloadValue<System.Text.Json.JsonElement>("amr").GetRawText());
        Assert.False(string.IsNullOrEmpty(idToken.GetClaim("sid").Value));
        Assert.True(idToken.TryGetPayloadValue<long>("auth_time", out _));
        Assert.Equal("Kim Citizen", idToken.GetClaim("name").Value);
        Assert.Equal("c1@example.test", idToken.GetClaim("email").Value);

        var userInfo = await tokens.UserInfoAsync(redeemed["access_token"]!);
        Assert.Equal(HttpStatusCode.OK, userInfo.Status);
        Assert.Equal(idToken.Subject, userInfo["sub"]);
        Assert.Equal("c1@example.test", userInfo["email"]);
    }
}

public sealed class SqliteCodeFlowTests(OnePassHostFixture fixture) : CodeFlowTests(fixture.Host), IClassFixture<OnePassHostFixture>;
