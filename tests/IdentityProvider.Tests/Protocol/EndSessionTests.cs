using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Protocol;

/// <summary>RP-initiated logout (CATALOGUE IN-ES-01..03, AT-29).</summary>
public sealed class EndSessionTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private const string AlgNoneHint = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJpc3MiOiJodHRwOi8vbG9jYWxob3N0LyIsInN1YiI6ImF0dGFja2VyIiwiYXVkIjoiYWdlbmN5LXRheCJ9.";
    private readonly OnePassHost _host = fixture.Host;

    /// <summary>A browser signed in through the tax agency, and the ID token that agency received.</summary>
    private async Task<(BrowserClient Browser, string IdToken)> SignedInAsync()
    {
        var browser = _host.CreateBrowser();
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect);
        var response = await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password));
        var tokens = await new TokenClient(_host.CreateProtocolClient())
            .RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, response.Code!, request.CodeVerifier, TestSeed.TaxRedirect);
        return (browser, tokens["id_token"]!);
    }

    private static string EndSession(Dictionary<string, string?> parameters) =>
        QueryHelpers.AddQueryString("/connect/endsession", parameters.Where(pair => pair.Value is not null).ToDictionary());

    /// <summary>True when the browser still has an SSO session (prompt=none yields a code).</summary>
    private static async Task<bool> HasSessionAsync(BrowserClient browser)
    {
        var request = new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect) { Extra = new() { ["prompt"] = "none" } };
        var response = await browser.AuthorizeAsync(request);
        return response.Code is not null;
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-ES-01")]
    public async Task EndSession_WithValidHintRegisteredUriAndState_SignsOutAndReturnsState()
    {
        var (browser, idToken) = await SignedInAsync();
        using var _ = browser;

        var page = await browser.NavigateAsync(EndSession(new()
        {
            ["id_token_hint"] = idToken, ["post_logout_redirect_uri"] = TestSeed.TaxPostLogout, ["state"] = "bye-123",
        }));

        Assert.True(page.StoppedAtRedirect);
        Assert.Equal(TestSeed.TaxPostLogout + "?state=bye-123", page.Uri.ToString());
        Assert.False(await HasSessionAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-ES-01")]
    public async Task EndSession_WithValidHintWithoutState_ReturnsWithoutState()
    {
        var (browser, idToken) = await SignedInAsync();
        using var _ = browser;

        var page = await browser.NavigateAsync(EndSession(new() { ["id_token_hint"] = idToken, ["post_logout_redirect_uri"] = TestSeed.TaxPostLogout }));

        Assert.True(page.StoppedAtRedirect);
        Assert.Equal(TestSeed.TaxPostLogout, page.Uri.ToString());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-ES-01")]
    public async Task EndSession_WithValidHintOnly_SignsOutToOurPage()
    {
        var (browser, idToken) = await SignedInAsync();
        using var _ = browser;

        var page = await browser.NavigateAsync(EndSession(new() { ["id_token_hint"] = idToken }));

        Assert.False(page.StoppedAtRedirect);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.False(await HasSessionAsync(browser));
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-ES-01")]
    [Trait(Catalogue.Row, "AT-29")]
    [InlineData(null)]
    [InlineData("only-state")]
    public async Task EndSession_WithoutHint_AsksForConfirmationAndKeepsSession(string? state)
    {
        var (browser, _) = await SignedInAsync();
        using var __ = browser;

        var page = await browser.NavigateAsync(EndSession(new() { ["state"] = state }));

        Assert.True(page.IsLogoutConfirmation);
        Assert.True(await HasSessionAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-ES-01")]
    public async Task EndSession_Confirmed_SignsOutAndReturnsToRegisteredUriWithState()
    {
        var (browser, _) = await SignedInAsync();
        using var __ = browser;
        var confirmation = await browser.NavigateAsync(EndSession(new()
        {
            ["client_id"] = TestSeed.TaxClient, ["post_logout_redirect_uri"] = TestSeed.TaxPostLogout, ["state"] = "s1",
        }));

        var page = await browser.SubmitAsync(confirmation, new Dictionary<string, string>(), "logout", "yes");

        Assert.True(page.StoppedAtRedirect, page.Uri.ToString());
        Assert.Equal(TestSeed.TaxPostLogout + "?state=s1", page.Uri.ToString());
        Assert.False(await HasSessionAsync(browser));
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-ES-01")]
    [InlineData("garbage")]
    [InlineData(AlgNoneHint)]
    public async Task EndSession_WithBadHint_NeitherRedirectsNorSignsOut(string hint)
    {
        var (browser, _) = await SignedInAsync();
        using var __ = browser;

        var page = await browser.NavigateAsync(EndSession(new()
        {
            ["id_token_hint"] = hint, ["post_logout_redirect_uri"] = TestSeed.TaxPostLogout, ["state"] = "x",
        }));

        Assert.False(page.StoppedAtRedirect, page.Uri.ToString());
        Assert.True(await HasSessionAsync(browser));
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-ES-01")]
    [InlineData("https://evil.example/logged-out")]
    [InlineData(TestSeed.TaxPostLogout + "?next=https://evil.example")]
    [InlineData(TestSeed.HealthPostLogout)] // registered, but for another agency than the hint's
    public async Task EndSession_WithUnregisteredOrAlteredPostLogoutUri_ShowsErrorPageWithoutRedirect(string uri)
    {
        var (browser, idToken) = await SignedInAsync();
        using var _ = browser;

        var page = await browser.NavigateAsync(EndSession(new() { ["id_token_hint"] = idToken, ["post_logout_redirect_uri"] = uri }));

        Assert.False(page.StoppedAtRedirect, page.Uri.ToString());
        Assert.InRange((int)page.Status, 400, 499);
        Assert.True(await HasSessionAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-ES-02")]
    [Trait(Catalogue.Row, "AT-29")]
    public async Task EndSession_CrossSiteImageWithoutHint_KeepsSession()
    {
        var (browser, _) = await SignedInAsync();
        using var __ = browser;
        using var image = new HttpRequestMessage(HttpMethod.Get, "/connect/endsession");
        image.Headers.Add("Sec-Fetch-Site", "cross-site");
        image.Headers.Add("Sec-Fetch-Dest", "image");
        image.Headers.Referrer = new Uri("https://evil.example/page");

        var response = await browser.FollowAsync(await browser.SendAsync(image));

        Assert.True(response.IsLogoutConfirmation);
        Assert.True(await HasSessionAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-ES-02")]
    public async Task EndSession_ConfirmationPostedWithoutAntiforgery_IsRefusedAndKeepsSession()
    {
        var (browser, _) = await SignedInAsync();
        using var __ = browser;
        var confirmation = await browser.NavigateAsync("/connect/endsession");
        var fields = confirmation.Form().Fields.Where(field => field.Key != "__RequestVerificationToken").Append(new("logout", "yes"));

        var response = await browser.PostFormAsync("/connect/endsession", fields);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(await HasSessionAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-ES-03")]
    public async Task Authorize_WithPromptNone_AfterLogout_RedirectsLoginRequired()
    {
        var (browser, idToken) = await SignedInAsync();
        using var _ = browser;
        await browser.NavigateAsync(EndSession(new() { ["id_token_hint"] = idToken, ["post_logout_redirect_uri"] = TestSeed.TaxPostLogout }));

        var response = await browser.AuthorizeAsync(new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Extra = new() { ["prompt"] = "none" } });

        Assert.Equal("login_required", response.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-ES-03")]
    public async Task Authorize_ReplayedAfterLogout_AsksForSignInAgain()
    {
        var browser = _host.CreateBrowser();
        using var _ = browser;
        var request = new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect);
        var first = await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password));
        var tokens = await new TokenClient(_host.CreateProtocolClient())
            .RedeemCodeAsync(TestSeed.HealthClient, TestSeed.HealthSecret, first.Code!, request.CodeVerifier, TestSeed.HealthRedirect);
        await browser.NavigateAsync(EndSession(new() { ["id_token_hint"] = tokens["id_token"] }));

        var back = await browser.NavigateAsync(request.ToUrl()); // the back button

        Assert.True(back.IsLoginPage);
    }
}
