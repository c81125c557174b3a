using System.Net;
using OnePass.TestKit;
using static OnePass.IdentityProvider.Tests.Account.Registration.AccountMail;

namespace OnePass.IdentityProvider.Tests.Account.Registration;

/// <summary>Registration with e-mail verification through the pickup folder (issue 6).</summary>
public sealed class RegistrationTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private OnePassHost Host => fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "AT-22")]
    public async Task Register_ThenFollowTheEmailLink_CanSignIn()
    {
        var email = NewAddress();
        using var browser = Host.CreateBrowser();

        var registered = await RegisterAsync(browser, email);
        var verified = await FollowVerificationAsync(browser, Newest(Host, email));
        await browser.SignInAsync(email, StrongPassword);

        Assert.Equal("/account/verify-email", registered.Uri.AbsolutePath);
        Assert.NotNull(registered.Document.GetElementById("verify-email-sent"));
        Assert.NotNull(verified.Document.GetElementById("verify-email-done"));
        Assert.True(await IsSignedInAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-22")]
    public async Task SignIn_BeforeVerifying_FailsExactlyLikeAnUnknownUser_AndOffersTheResend()
    {
        var email = NewAddress();
        var unknown = NewAddress(); // same length, never registered
        using (var registering = Host.CreateBrowser())
        {
            await RegisterAsync(registering, email);
        }

        using var first = Host.CreateBrowser();
        using var second = Host.CreateBrowser();
        var unverified = await first.SignInAsync(email, StrongPassword);
        var nobody = await second.SignInAsync(unknown, StrongPassword);

        Assert.Equal(HttpStatusCode.OK, unverified.Status);
        Assert.Equal(nobody.Status, unverified.Status);
        Assert.Equal(WithoutTokens(nobody.Html).Replace(unknown, "USER", StringComparison.Ordinal),
            WithoutTokens(unverified.Html).Replace(email, "USER", StringComparison.Ordinal));
        Assert.Equal(CookieNames(nobody.Response), CookieNames(unverified.Response));
        Assert.NotNull(unverified.Document.GetElementById("login-resend"));
        Assert.False(await IsSignedInAsync(first));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-22")]
    [Trait(Catalogue.Row, "AT-26")]
    public async Task Register_TakenAddress_AnswersExactlyAsAFreeOne()
    {
        var taken = NewAddress("taken");
        var free = NewAddress("freee"); // same length as "taken"
        await RegisterAndVerifyAsync(Host, taken);
        using var firstBrowser = Host.CreateBrowser();
        using var secondBrowser = Host.CreateBrowser();
        var firstForm = await firstBrowser.NavigateAsync("/account/register");
        var secondForm = await secondBrowser.NavigateAsync("/account/register");

        var forFree = await PostRegistrationAsync(firstBrowser, firstForm, free);
        var forTaken = await PostRegistrationAsync(secondBrowser, secondForm, taken);

        Assert.Equal(HttpStatusCode.SeeOther, forFree.StatusCode);
        Assert.Equal(forFree.StatusCode, forTaken.StatusCode);
        Assert.Equal(forFree.Headers.Location, forTaken.Headers.Location);
        Assert.Equal(HeaderNames(forFree), HeaderNames(forTaken));
        Assert.Equal(CookieNames(forFree), CookieNames(forTaken));
        var freePage = await firstBrowser.FollowAsync(forFree);
        var takenPage = await secondBrowser.FollowAsync(forTaken);
        Assert.Equal(freePage.Status, takenPage.Status);
        Assert.Equal(WithoutTokens(freePage.Html), WithoutTokens(takenPage.Html));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-22")]
    public async Task Register_TakenAddress_TellsTheOwnerByEmailWithSignInAndResetLinks()
    {
        var taken = NewAddress();
        await RegisterAndVerifyAsync(Host, taken);
        using var browser = Host.CreateBrowser();

        await RegisterAsync(browser, taken, "another password of the intruder");

        var notice = Newest(Host, taken);
        var links = Links(notice).Select(link => link.AbsolutePath).ToList();
        Assert.Contains("/account/login", links);
        Assert.Contains("/account/forgot-password", links);
        Assert.DoesNotContain("/account/verify-email", links);
        using var owner = Host.CreateBrowser();
        await owner.SignInAsync(taken, StrongPassword);
        Assert.True(await IsSignedInAsync(owner)); // the intruder's password changed nothing
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-22")]
    public async Task Register_FromAnAgency_KeepsTheReturnUrlThroughVerification()
    {
        const string returnUrl = "/connect/authorize?client_id=agency-tax&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc";
        var email = NewAddress();
        using var browser = Host.CreateBrowser();

        await RegisterAsync(browser, email, returnUrl: returnUrl);
        var verified = await FollowVerificationAsync(browser, Newest(Host, email));

        var signIn = verified.Document.GetElementById("verify-email-signin")!.GetAttribute("href")!;
        Assert.Equal("/account/login?ReturnUrl=" + Uri.EscapeDataString(returnUrl), signIn);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public async Task Register_128CharPasswordWithSpacesAndEmoji_SignsInOnlyWithTheWholePassword()
    {
        var password = string.Concat(Enumerable.Repeat("🔑 café ", 16)); // 16 × 8 UTF-16 units = 128
        Assert.Equal(128, password.Length);
        var email = NewAddress();
        await RegisterAndVerifyAsync(Host, email, password);
        using var truncated = Host.CreateBrowser();
        using var whole = Host.CreateBrowser();

        await truncated.SignInAsync(email, password[..72]);
        await whole.SignInAsync(email, password);

        Assert.False(await IsSignedInAsync(truncated));
        Assert.True(await IsSignedInAsync(whole));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-05")]
    public async Task Register_LowercaseLettersOnlyPassword_IsAccepted()
    {
        var email = NewAddress();
        using var browser = Host.CreateBrowser();

        await RegisterAndVerifyAsync(Host, email, "abcdefghijklmnopqrstuv");
        await browser.SignInAsync(email, "abcdefghijklmnopqrstuv");

        Assert.True(await IsSignedInAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-35")]
    public async Task Register_UnderAForgedHostHeader_LinksUseTheConfiguredIssuer()
    {
        var email = NewAddress();
        using var browser = Host.CreateBrowser();
        var page = await browser.NavigateAsync("http://evil.example/account/register");

        await browser.SubmitAsync(page, new Dictionary<string, string>
        {
            ["email"] = email, ["name"] = "Kim", ["password"] = StrongPassword, ["confirmPassword"] = StrongPassword,
        });

        var link = Links(Newest(Host, email))[0];
        Assert.Equal(Host.Issuer.GetLeftPart(UriPartial.Authority), link.GetLeftPart(UriPartial.Authority));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-22")]
    public async Task ResendVerification_AnswersTheSameForAWaitingAndAnUnknownAddress_AndOnlyTheWaitingOneGetsMail()
    {
        var waiting = NewAddress("waiting");
        var unknown = NewAddress("unknown");
        using (var registering = Host.CreateBrowser())
        {
            await RegisterAsync(registering, waiting);
        }

        using var first = Host.CreateBrowser();
        using var second = Host.CreateBrowser();
        var forWaiting = await ResendAsync(first, waiting);
        var forUnknown = await ResendAsync(second, unknown);

        Assert.Equal(forUnknown.Uri, forWaiting.Uri);
        Assert.Equal(WithoutTokens(forUnknown.Html), WithoutTokens(forWaiting.Html));
        Assert.Equal(2, To(Host, waiting).Count);
        Assert.Empty(To(Host, unknown));
        await FollowVerificationAsync(first, Newest(Host, waiting));
        await first.SignInAsync(waiting, StrongPassword);
        Assert.True(await IsSignedInAsync(first));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-22")]
    public async Task Register_AgainBeforeVerifying_VoidsTheEarlierLink()
    {
        var email = NewAddress();
        using var browser = Host.CreateBrowser();
        await RegisterAsync(browser, email, "first password of this citizen");
        var earlier = Newest(Host, email);

        await RegisterAsync(browser, email, "second password of this citizen");
        var stale = await FollowVerificationAsync(browser, earlier);
        var fresh = await FollowVerificationAsync(browser, Newest(Host, email));
        await browser.SignInAsync(email, "second password of this citizen");

        Assert.NotNull(stale.Document.GetElementById("verify-email-invalid"));
        Assert.NotNull(fresh.Document.GetElementById("verify-email-done"));
        Assert.True(await IsSignedInAsync(browser));
    }

    [Theory]
    [InlineData("ko")]
    [InlineData("fr")]
    [Trait(Catalogue.Row, "AT-22")]
    public async Task Register_InTheCitizensLanguage_SendsTheEmailInThatLanguage(string language)
    {
        var email = NewAddress();
        using var browser = Host.CreateBrowser();
        browser.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);

        var page = await RegisterAsync(browser, email);

        var expected = InCulture(language, () => Features.Site.Texts.Get("mail.verify.subject"));
        Assert.Equal(expected, Newest(Host, email).Subject);
        Assert.NotEqual(InCulture("en", () => Features.Site.Texts.Get("mail.verify.subject")), expected);
        Assert.Equal(language, page.Document.DocumentElement.GetAttribute("lang"));
    }

    private static string InCulture(string culture, Func<string> read)
    {
        var previous = System.Globalization.CultureInfo.CurrentUICulture;
        System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo(culture);
        try
        {
            return read();
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = previous;
        }
    }

    private static async Task<BrowserPage> ResendAsync(BrowserClient browser, string email)
    {
        var page = await browser.NavigateAsync("/account/verify-email");
        return await browser.SubmitAsync(page, new Dictionary<string, string> { ["email"] = email });
    }

    private static Task<HttpResponseMessage> PostRegistrationAsync(BrowserClient browser, BrowserPage form, string email)
    {
        var fields = form.Form().Fields.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        fields["email"] = email;
        fields["name"] = "Kim Citizen";
        fields["password"] = StrongPassword;
        fields["confirmPassword"] = StrongPassword;
        return browser.PostFormAsync("/account/register", fields);
    }

    private static List<string> HeaderNames(HttpResponseMessage response) =>
        [.. response.Headers.Select(header => header.Key).Concat(response.Content.Headers.Select(header => header.Key)).Order(StringComparer.OrdinalIgnoreCase)];
}
