using System.Globalization;
using System.Net;
using OnePass.IdentityProvider.Features.Site;
using OnePass.IdentityProvider.Infrastructure;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Site;

/// <summary>
/// Which language a page speaks (issue 6 item 4): the switcher's choice in this browser session, then
/// <c>ui_locales</c>, then the remembered choice, then Accept-Language; and times in the citizen's time zone.
/// Assertions read the <c>lang</c> attribute and resource texts, never English literals.
/// </summary>
public sealed class LanguageTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private readonly OnePassHost _host = fixture.Host;

    [Theory]
    [InlineData("ko")]
    [InlineData("fr")]
    [InlineData("en")]
    public async Task Switcher_PickingALanguage_LaterPagesSpeakIt(string culture)
    {
        using var browser = _host.CreateBrowser();
        var login = await browser.NavigateAsync("/account/login");

        var switched = await SwitchAsync(browser, login, culture);
        var later = await browser.NavigateAsync("/account/forgot-password");

        Assert.Equal(culture, Lang(switched));
        Assert.Equal(culture, Lang(later));
        Assert.Equal(InCulture(culture, () => Texts.Get("forgot.title")), later.Document.QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal("true", later.Document.QuerySelector($".language-switcher a[hreflang={culture}]")!.GetAttribute("aria-current"));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-19")]
    public async Task Switcher_OnASignInPageOpenedWithUiLocales_ChoiceWinsThroughConsent()
    {
        using var browser = _host.CreateBrowser();
        var login = await browser.NavigateAsync(AuthorizeUrl("fr"));
        Assert.Equal("fr", Lang(login));

        var switched = await SwitchAsync(browser, login, "ko");
        Assert.Equal("ko", Lang(switched));
        Assert.True(switched.IsLoginPage);

        var consent = await browser.SubmitAsync(switched, new Dictionary<string, string>
        {
            ["username"] = TestSeed.Citizen,
            ["password"] = TestSeed.Password,
        });
        Assert.True(consent.IsConsentPage);
        Assert.Equal("ko", Lang(consent));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-19")]
    public async Task UiLocales_InANewBrowserSession_BeatsTheRememberedChoice()
    {
        using var browser = _host.CreateBrowser();
        await SwitchAsync(browser, await browser.NavigateAsync("/account/login"), "ko");
        ForgetSessionCookies(browser); // the browser was closed: only the one-year cookie is left

        var remembered = await browser.NavigateAsync("/account/login");
        var withHint = await browser.NavigateAsync("/account/login?ui_locales=fr");

        Assert.Equal("ko", Lang(remembered));
        Assert.Equal("fr", Lang(withHint));
    }

    [Theory]
    [InlineData("fr-CA,fr;q=0.9,en;q=0.5", "fr")]
    [InlineData("ko-KR,ko;q=0.9", "ko")]
    [InlineData("de-DE,de;q=0.9", "en")]
    public async Task AcceptLanguage_WithNoOtherChoice_PicksTheBrowsersLanguage(string acceptLanguage, string expected)
    {
        using var browser = _host.CreateBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);

        var page = await browser.FollowAsync(await browser.SendAsync(request));

        Assert.Equal(expected, Lang(page));
    }

    [Theory]
    [InlineData("de")]
    [InlineData("")]
    [InlineData("ko\r\nX-Injected: 1")]
    public async Task Switcher_WithAnUnknownLanguage_Answers400AndSetsNothing(string culture)
    {
        using var browser = _host.CreateBrowser();

        var response = await browser.GetAsync(SwitchUrl(culture, "/"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example")]
    public async Task Switcher_WithAForeignReturnUrl_GoesHomeInstead(string returnUrl)
    {
        using var browser = _host.CreateBrowser();

        var response = await browser.GetAsync(SwitchUrl("fr", returnUrl));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SignInPage_WithTheSwitcher_StillHasExactlyOnePostForm()
    {
        using var browser = _host.CreateBrowser();

        var login = await browser.NavigateAsync("/account/login");

        // CONTRACT §4: form-filling clients look for the one POST form; the switcher is made of links.
        var form = Assert.Single(login.Document.Forms, f => f.Method.Equals("post", StringComparison.OrdinalIgnoreCase));
        Assert.NotNull(form.QuerySelector("input[name=username]"));
        Assert.Equal(3, login.Document.QuerySelectorAll(".language-switcher a[hreflang]").Length);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-26")]
    public async Task Switcher_Cookies_AreHttpOnlyLaxAndHoldOnlyTheLanguage()
    {
        using var browser = _host.CreateBrowser();

        var response = await browser.GetAsync(SwitchUrl("ko", "/"));

        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        Assert.Equal(2, cookies.Count);
        Assert.All(cookies, cookie =>
        {
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        });
        Assert.Contains(cookies, cookie => cookie.StartsWith($"{UiLocales.SessionCookie}=ko;", StringComparison.Ordinal));
        Assert.Contains(cookies, cookie => cookie.StartsWith($"{UiLocales.RememberedCookie}=c%3Dko%7Cuic%3Dko;", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Asia/Seoul", "ko", "UTC+09:00", "2026년")]
    [InlineData("Europe/Paris", "fr", "UTC+01:00", "novembre")]
    [InlineData("America/New_York", "en", "UTC−05:00", "November")]
    public async Task SessionsPage_WithTheBrowsersTimeZone_ShowsTimesInItAndTheLanguage(string zone, string culture, string offset, string monthWord)
    {
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync(TestSeed.Citizen);
        await SwitchAsync(browser, await browser.NavigateAsync("/account/sessions"), culture);
        browser.Cookies.Add(_host.Issuer, new Cookie(CitizenTime.Cookie, Uri.EscapeDataString(zone)));

        var page = await browser.NavigateAsync("/account/sessions");

        var shown = page.Document.QuerySelector("time.started")!.TextContent;
        Assert.Contains(offset, shown, StringComparison.Ordinal);
        Assert.Contains(monthWord, shown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Not/AZone")]
    [InlineData("../../etc/passwd")]
    [InlineData("<script>")]
    public async Task SessionsPage_WithAnUnknownTimeZone_ShowsUtc(string zone)
    {
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync(TestSeed.Citizen);
        browser.Cookies.Add(_host.Issuer, new Cookie(CitizenTime.Cookie, Uri.EscapeDataString(zone)));

        var page = await browser.NavigateAsync("/account/sessions");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.EndsWith("(UTC)", page.Document.QuerySelector("time.started")!.TextContent.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void Shown_WithoutATimeZone_IsUtcAndSaysSo()
    {
        var shown = InCulture("en", () => CitizenTime.Shown(new DateTimeOffset(2026, 11, 27, 23, 30, 0, TimeSpan.Zero)));

        Assert.Equal("Friday, November 27, 2026 11:30 PM (UTC)", shown.Replace('\u202f', ' '));
    }

    [Fact]
    public void Shown_InSeoul_CrossesMidnightIntoTheNextDay()
    {
        CitizenTime.Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Seoul");

        var shown = InCulture("ko", () => CitizenTime.Shown(new DateTimeOffset(2026, 11, 27, 23, 30, 0, TimeSpan.Zero)));

        Assert.StartsWith("2026년 11월 28일 토요일", shown, StringComparison.Ordinal);
        Assert.EndsWith("(UTC+09:00)", shown, StringComparison.Ordinal);
    }

    private static string Lang(BrowserPage page) => page.Document.DocumentElement.GetAttribute("lang")!;

    // Follows the switcher's link on the page, as a citizen clicking it would.
    private static async Task<BrowserPage> SwitchAsync(BrowserClient browser, BrowserPage page, string culture) =>
        await browser.NavigateAsync(page.Document.QuerySelector($".language-switcher a[hreflang={culture}]")!.GetAttribute("href")!);

    private static string SwitchUrl(string culture, string returnUrl) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/language", new Dictionary<string, string?> { ["culture"] = culture, ["returnUrl"] = returnUrl });

    private static void ForgetSessionCookies(BrowserClient browser)
    {
        foreach (Cookie cookie in browser.Cookies.GetAllCookies())
        {
            if (cookie.Expires == DateTime.MinValue)
            {
                cookie.Expired = true;
            }
        }
    }

    private static string AuthorizeUrl(string uiLocales)
    {
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Scope = "openid profile" };
        request.Extra["ui_locales"] = uiLocales;
        return request.ToUrl();
    }

    private static T InCulture<T>(string culture, Func<T> read)
    {
        var (ui, current) = (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            return read();
        }
        finally
        {
            (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture) = (ui, current);
        }
    }
}
