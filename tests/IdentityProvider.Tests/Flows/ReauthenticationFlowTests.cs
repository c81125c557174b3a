using System.Net;
using OnePass.TestKit;
using static OnePass.TestKit.TestSeed;

namespace OnePass.IdentityProvider.Tests.Flows;

/// <summary>
/// prompt=login and max_age=0 ask for the password exactly once and then finish, consent step
/// included: no login loop, no second prompt (OIDC Core §3.1.2.1; CATALOGUE IN-AZ-15).
/// </summary>
public sealed class ReauthenticationFlowTests : IDisposable
{
    private const string ComboClient = "agency-combo";
    private const string ComboSecret = "combo-secret-0123456789-0123456789-abcd";

    // Like CONTRACT §3's example client: code, refresh and client_credentials, with offline_access.
    private readonly OnePassHost _host = new(new OnePassHostOptions
    {
        ConfigureSeed = seed => seed["clients"]!.AsArray().Add(Client(ComboClient, ComboSecret, "Combo Agency",
            ["http://127.0.0.1:7009/signin-oidc"], [], "implicit", ["authorization_code", "refresh_token", "client_credentials"],
            ["openid", "profile", "offline_access"])),
    });

    public void Dispose() => _host.Dispose();

    [Theory]
    [Trait(Catalogue.Row, "IN-AZ-15")]
    [InlineData("prompt", "login")]
    [InlineData("prompt", "login consent")]
    [InlineData("max_age", "0")]
    public async Task Authorize_ForcingSignIn_WithoutSession_AsksOnceThenConsentsAndIssuesCode(string parameter, string value)
    {
        using var browser = _host.CreateBrowser();
        var request = new AuthorizationRequest(TaxClient, TaxRedirect) { Extra = { [parameter] = value } };

        var response = await browser.AuthorizeAsync(request, (Citizen, Password));

        Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status}");
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AZ-15")]
    [InlineData("prompt", "login")]
    [InlineData("max_age", "0")]
    public async Task Authorize_ForcingSignIn_WithSessionAndPendingConsent_AsksOnceThenIssuesCode(string parameter, string value)
    {
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync(OtherCitizen);
        var request = new AuthorizationRequest(TaxClient, TaxRedirect) { Extra = { [parameter] = value } };

        var response = await browser.AuthorizeAsync(request, (OtherCitizen, Password));

        Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status}");
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AZ-15")]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("1.5")]
    public async Task Authorize_WithMalformedMaxAge_RedirectsInvalidRequest(string maxAge)
    {
        using var browser = _host.CreateBrowser();
        var request = new AuthorizationRequest(TaxClient, TaxRedirect) { Extra = { ["max_age"] = maxAge } };

        var response = await browser.AuthorizeAsync(request, (Citizen, Password));

        Assert.Equal("invalid_request", response.Error);
        Assert.Null(response.Code);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-13")]
    public async Task ClientCredentials_WithOfflineAccess_ReturnsInvalidScopeAndNoRefreshToken()
    {
        var response = await new TokenClient(_host.CreateProtocolClient()).ClientCredentialsAsync(ComboClient, ComboSecret, "offline_access");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_scope", response.Error);
        Assert.Null(response["refresh_token"]);
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-LG-11")]
    [InlineData("/connect/authorize?x=\r\nSet-Cookie: a=b")]
    [InlineData("/account/\u00e9")]
    public async Task Login_WithControlOrNonAsciiReturnUrl_GoesHomeInsteadOfFailing(string returnUrl)
    {
        using var browser = _host.CreateBrowser();
        var page = await browser.NavigateAsync("/account/login");

        var response = await browser.SubmitAsync(page, new Dictionary<string, string>
        {
            ["username"] = Citizen,
            ["password"] = Password,
            ["ReturnUrl"] = returnUrl,
        }, stopAt: _ => true);

        Assert.Equal(HttpStatusCode.SeeOther, response.Response.StatusCode);
        Assert.Equal("/", response.Response.Headers.Location?.OriginalString);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-UI-01")]
    public async Task UserInfo_WithoutToken_AnswersWithChallengeNotAnHtmlPage()
    {
        using var response = await _host.CreateProtocolClient().GetAsync("/connect/userinfo");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("<html", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
