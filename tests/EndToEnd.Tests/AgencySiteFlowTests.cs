using System.Net;
using OnePass.TestKit;

namespace OnePass.EndToEnd.Tests;

/// <summary>
/// The sample agency site, i.e. Microsoft's OpenID Connect handler (code + PKCE, PAR when advertised,
/// form_post, userinfo, RP-initiated logout), against OnePass over real sockets, driven through the HTML
/// forms like a citizen's browser.
/// </summary>
public sealed class AgencySiteFlowTests(AgencySitesFixture sites) : IClassFixture<AgencySitesFixture>
{
    [Fact]
    [Trait(Catalogue.Row, "IN-TK-10")]
    public async Task SignIn_ViaMicrosoftHandler_ShowsOnePassClaimsOnAgencyPage()
    {
        using var browser = new Browser();

        var signIn = await SignInAsync(browser, sites.First);

        Assert.Equal(sites.First.At("/me"), signIn.Page.Uri);
        var claims = Claims(signIn.Page);
        Assert.False(string.IsNullOrEmpty(claims["sub"].Single()));
        Assert.False(string.IsNullOrEmpty(claims["sid"].Single()));
        Assert.Equal("urn:onepass:loa:1", claims["acr"].Single());
        Assert.Equal("Kim Citizen", claims["name"].Single());
        Assert.Equal("c1@example.test", claims["email"].Single());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-10")]
    public async Task SignIn_AtSecondAgencyAfterFirst_SignsInWithoutPasswordPrompt()
    {
        using var browser = new Browser();
        await SignInAsync(browser, sites.First);

        var second = await SignInAsync(browser, sites.Second, credentials: null);

        Assert.False(second.AskedForPassword);
        Assert.Equal(sites.Second.At("/me"), second.Page.Uri);
        Assert.Equal("Kim Citizen", Claims(second.Page)["name"].Single());
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-37")]
    [Trait(Catalogue.Row, "IN-TK-10")]
    public async Task SignIn_AtTwoAgenciesInDifferentSectors_GivesDifferentPairwiseSubjects()
    {
        using var browser = new Browser();
        var first = await SignInAsync(browser, sites.First);

        var second = await SignInAsync(browser, sites.Second, credentials: null);

        Assert.NotEqual(Claims(first.Page)["sub"].Single(), Claims(second.Page)["sub"].Single());
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-37")]
    public async Task SignIn_TwiceAtOneAgency_GivesTheSameSubject()
    {
        using var morning = new Browser();
        using var evening = new Browser();
        var first = await SignInAsync(morning, sites.First, (TestSeed.OtherCitizen, TestSeed.Password));

        var second = await SignInAsync(evening, sites.First, (TestSeed.OtherCitizen, TestSeed.Password));

        Assert.Equal(Claims(first.Page)["sub"].Single(), Claims(second.Page)["sub"].Single());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-ES-01")]
    public async Task SignOut_ViaMicrosoftHandler_ReturnsThroughAgencySignoutCallback()
    {
        using var browser = new Browser();
        var signIn = await SignInAsync(browser, sites.First);

        var page = await browser.SubmitAsync(signIn.Page);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains(browser.History, uri => uri.AbsolutePath == "/connect/endsession" && uri.Authority == sites.IdentityProvider.Issuer.Authority);
        Assert.Contains(browser.History, uri => uri.GetLeftPart(UriPartial.Path) == sites.First.At("/signout-callback-oidc").ToString());
        Assert.Equal(sites.First.At("/"), page.Uri);
        Assert.Contains("Sign in with OnePass", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-ES-01")]
    public async Task SignOut_ViaMicrosoftHandler_EndsOnePassSession_SoAnotherAgencyAsksForPassword()
    {
        using var browser = new Browser();
        var signIn = await SignInAsync(browser, sites.First);
        await browser.SubmitAsync(signIn.Page);

        var page = await browser.NavigateAsync(sites.Second.At("/me"));

        Assert.True(page.IsLoginPage, $"{page.Uri} {page.Status}");
        Assert.Equal(sites.IdentityProvider.Issuer.Authority, page.Uri.Authority);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    [Trait(Catalogue.Row, "IN-ES-01")]
    public async Task SignOut_AtOneAgency_EndsTheOtherAgencysSessionByBackChannelLogout()
    {
        using var browser = new Browser();
        var first = await SignInAsync(browser, sites.First);
        await SignInAsync(browser, sites.Second, credentials: null);

        await browser.SubmitAsync(first.Page); // RP-initiated logout at agency one only

        // Agency two never saw the browser leave: only OnePass's logout token can end its session.
        var ended = false;
        for (var attempt = 0; attempt < 50 && !ended; attempt++)
        {
            var response = await browser.SendRawAsync(HttpMethod.Get, sites.Second.At("/me"));
            ended = response.StatusCode == HttpStatusCode.Redirect &&
                response.Headers.Location?.Authority == sites.IdentityProvider.Issuer.Authority;
            if (!ended)
            {
                await Task.Delay(200);
            }
        }

        Assert.True(ended, "Agency two still shows the citizen's page: its back-channel logout did not arrive or was refused.");
    }

    private static Task<SignInResult> SignInAsync(Browser browser, AgencySiteHost site) =>
        SignInAsync(browser, site, (TestSeed.Citizen, TestSeed.Password));

    /// <summary>
    /// Opens the agency's /me page and answers OnePass's login page (once, when credentials are given)
    /// and consent page on the way.
    /// </summary>
    private static async Task<SignInResult> SignInAsync(Browser browser, AgencySiteHost site, (string Username, string Password)? credentials)
    {
        var page = await browser.NavigateAsync(site.At("/me"));
        var askedForPassword = false;
        for (var step = 0; step < 4 && page.Uri.Authority != site.Origin.Authority; step++)
        {
            if (page.IsLoginPage && credentials is { } login && !askedForPassword)
            {
                askedForPassword = true;
                page = await browser.SubmitAsync(page, new Dictionary<string, string> { ["username"] = login.Username, ["password"] = login.Password });
            }
            else if (page.IsConsentPage)
            {
                page = await browser.SubmitAsync(page, submitName: "decision", submitValue: "allow");
            }
            else
            {
                askedForPassword |= page.IsLoginPage;
                break;
            }
        }

        Assert.True(page.Status == HttpStatusCode.OK, $"{page.Uri} {page.Status} {page.Html[..Math.Min(2000, page.Html.Length)]}");
        return new SignInResult(page, askedForPassword);
    }

    /// <summary>The claims table of the agency's /me page.</summary>
    private static ILookup<string, string> Claims(BrowserPage page) => page.Document
        .QuerySelectorAll("tbody tr")
        .Select(row => row.QuerySelectorAll("td").Select(cell => cell.TextContent).ToArray())
        .ToLookup(cells => cells[0], cells => cells[1], StringComparer.Ordinal);

    private sealed record SignInResult(BrowserPage Page, bool AskedForPassword);
}
