using System.Net;
using System.Text.Json.Nodes;
using OnePass.IdentityProvider.Features.Mfa.Passkeys;
using OnePass.IdentityProvider.Features.Site;
using OnePass.IdentityProvider.Infrastructure;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Mfa.Passkeys;

/// <summary>
/// The passkey pages and the ceremony endpoints' messages speak the citizen's language (issue 6 item 4):
/// words from the resource files, times in the citizen's locale and time zone, JSON error codes unchanged.
/// The JSON calls carry the language as passkeys.js's fetch() does: the switcher's cookies and Accept-Language.
/// </summary>
public sealed class PasskeyTextsTests(PasskeyHostFixture fixture) : IClassFixture<PasskeyHostFixture>
{
    private readonly OnePassHost _host = fixture.Host;

    [Fact]
    public async Task SecurityPage_InKoreanInSeoul_PasskeySectionFromKoreanResourcesWithSeoulTimes()
    {
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync(fixture.NewUser());
        using var authenticator = await RegisterAsync(browser, "Test key");
        browser.Cookies.Add(_host.Issuer, new Cookie(UiLocales.SessionCookie, "ko"));
        browser.Cookies.Add(_host.Issuer, new Cookie(CitizenTime.Cookie, Uri.EscapeDataString("Asia/Seoul")));

        var page = await browser.NavigateAsync("/account/security");

        var document = page.Document;
        var section = document.QuerySelector("#passkeys")!;
        Assert.Equal("ko", document.DocumentElement.GetAttribute("lang"));
        Assert.Equal(Texts.In("ko", "passkey.title"), section.QuerySelector("h2")!.TextContent.Trim());
        Assert.Equal(
            [Texts.In("ko", "passkey.added"), Texts.In("ko", "passkey.lastUsed")],
            section.QuerySelectorAll(".passkey-item dt").Select(dt => dt.TextContent.Trim()));
        Assert.Equal(Texts.In("ko", "passkey.never"), section.QuerySelector(".passkey-never")!.TextContent.Trim());
        Assert.Equal(Texts.In("ko", "passkey.remove"), section.QuerySelector(".passkey-item button[name=remove]")!.TextContent.Trim());
        Assert.Equal(Texts.In("ko", "passkey.name"), section.QuerySelector("label[for=passkey-name]")!.TextContent.Trim());
        Assert.Equal(Texts.In("ko", "passkey.namePlaceholder"), section.QuerySelector("#passkey-name")!.GetAttribute("placeholder"));
        Assert.Equal(Texts.In("ko", "passkey.register"), section.QuerySelector("#passkey-register")!.TextContent.Trim());
        var added = section.QuerySelector("time.passkey-added")!;
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", added.GetAttribute("datetime"));
        Assert.Contains("년", added.TextContent, StringComparison.Ordinal);
        Assert.EndsWith("(UTC+09:00)", added.TextContent.Trim(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ko")]
    [InlineData("fr")]
    [InlineData("en")]
    public async Task LoginPage_WithAcceptLanguage_PasskeyButtonAndFallbackMessagesFromResources(string culture)
    {
        using var browser = _host.CreateBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        request.Headers.TryAddWithoutValidation("Accept-Language", culture);

        var page = await browser.FollowAsync(await browser.SendAsync(request));

        var ceremony = page.Document.QuerySelector("[data-passkey-ceremony=signin]")!;
        Assert.Equal(Texts.In(culture, "passkey.signIn"), ceremony.QuerySelector("#passkey-signin")!.TextContent.Trim());
        Assert.Equal(Texts.In(culture, "passkey.error.cancelled"), ceremony.GetAttribute("data-error-cancelled"));
        Assert.Equal(Texts.In(culture, "passkey.error.failed"), ceremony.GetAttribute("data-error-failed"));
    }

    [Fact]
    public async Task PasskeysScript_HasNoWordsOfItsOwn_ReadsTheFallbacksFromThePage()
    {
        using var browser = _host.CreateBrowser();

        var script = await (await browser.GetAsync("/js/passkeys.js")).Content.ReadAsStringAsync();

        Assert.Contains("dataset.errorCancelled", script, StringComparison.Ordinal);
        Assert.Contains("dataset.errorFailed", script, StringComparison.Ordinal);
        Assert.DoesNotContain(Texts.In("en", "passkey.error.cancelled"), script, StringComparison.Ordinal);
        Assert.DoesNotContain(Texts.In("en", "passkey.error.failed"), script, StringComparison.Ordinal);
        Assert.DoesNotContain("The server answered", script, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task SignIn_MalformedAnswerWithAcceptLanguageFrench_FrenchMessageSameCodeNothingStored()
    {
        using var browser = _host.CreateBrowser();
        var before = await _host.CountRowsAsync();

        var answer = await PostAsync(browser, "signin", new JsonObject(), acceptLanguage: "fr-FR,fr;q=0.9");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_request", answer.Error);
        Assert.Equal(Texts.In("fr", "passkey.error.answerMalformed"), answer.Json.GetProperty("error_description").GetString());
        Assert.NotEqual(Texts.In("en", "passkey.error.answerMalformed"), Texts.In("fr", "passkey.error.answerMalformed"));
        Assert.Equal(before, await _host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task SignIn_MalformedAnswerAfterSwitchingToKorean_KoreanMessageBeatsAcceptLanguage()
    {
        using var browser = _host.CreateBrowser();
        browser.Cookies.Add(_host.Issuer, new Cookie(UiLocales.SessionCookie, "ko"));

        var answer = await PostAsync(browser, "signin", new JsonObject(), acceptLanguage: "fr");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_request", answer.Error);
        Assert.Equal(Texts.In("ko", "passkey.error.answerMalformed"), answer.Json.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task SignIn_MalformedAnswerWithRememberedFrench_FrenchMessage()
    {
        using var browser = _host.CreateBrowser();
        browser.Cookies.Add(_host.Issuer, new Cookie(UiLocales.RememberedCookie, Uri.EscapeDataString("c=fr|uic=fr")));

        var answer = await PostAsync(browser, "signin", new JsonObject());

        Assert.Equal("invalid_request", answer.Error);
        Assert.Equal(Texts.In("fr", "passkey.error.answerMalformed"), answer.Json.GetProperty("error_description").GetString());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task RegisterOptions_NameTooLongInFrench_FormattedFrenchMessageWithTheLimit()
    {
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync(fixture.NewUser());
        var before = await _host.CountRowsAsync();

        var answer = await PostAsync(browser, "register/options",
            new JsonObject { ["name"] = new string('a', PasskeyEndpoints.MaxNameLength + 1) }, acceptLanguage: "fr");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_request", answer.Error);
        var expected = Texts.In("fr", "passkey.error.nameInvalid").Replace("{0}", "100", StringComparison.Ordinal);
        Assert.Equal(expected, answer.Json.GetProperty("error_description").GetString());
        Assert.Equal(before, await _host.CountRowsAsync());
    }

    [Fact]
    public async Task RegisterOptions_SignedOutInKorean_LoginRequiredCodeWithKoreanMessage()
    {
        using var browser = _host.CreateBrowser();

        var answer = await PostAsync(browser, "register/options", new JsonObject(), acceptLanguage: "ko-KR");

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("login_required", answer.Error);
        Assert.Equal(Texts.In("ko", "passkey.error.signInToAdd"), answer.Json.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Register_WithoutANameInKorean_StoredUnderTheKoreanDefaultName()
    {
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync(fixture.NewUser());
        browser.Cookies.Add(_host.Issuer, new Cookie(UiLocales.SessionCookie, "ko"));

        using var authenticator = await RegisterAsync(browser, "");
        var page = await browser.NavigateAsync("/account/security");

        Assert.Equal(Texts.In("ko", "passkey.defaultName"), page.Document.QuerySelector(".passkey-name")!.TextContent.Trim());
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static async Task<SoftwareAuthenticator> RegisterAsync(BrowserClient browser, string name)
    {
        var authenticator = new SoftwareAuthenticator();
        var options = await PasskeyCalls.PostAsync(browser, "register/options", new JsonObject { ["name"] = name });
        Assert.True(options.Status == HttpStatusCode.OK, $"register/options: {options}");
        var registered = await PasskeyCalls.PostAsync(browser, "register", authenticator.Register(options.Json, PasskeyHostFixture.Origin));
        Assert.True(registered.Status == HttpStatusCode.Created, $"register: {registered}");
        return authenticator;
    }

    /// <summary>A ceremony call as passkeys.js's fetch() sends it: the page's cookies, the header, the browser's languages.</summary>
    private static async Task<PasskeyAnswer> PostAsync(BrowserClient browser, string path, JsonNode body, string? acceptLanguage = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/passkeys/" + path)
        {
            Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(PasskeyEndpoints.CeremonyHeader, "1");
        if (acceptLanguage is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        var response = await browser.SendAsync(request);
        return new PasskeyAnswer(response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
