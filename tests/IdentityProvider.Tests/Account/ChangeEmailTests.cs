using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Features.Site;
using OnePass.TestKit;
using static OnePass.IdentityProvider.Tests.Account.Registration.AccountMail;

namespace OnePass.IdentityProvider.Tests.Account;

/// <summary>
/// Change e-mail at /account/email (issue 6 item 2): a sign-in from the last five minutes; a link to the new
/// address (confirmed by a POST, single use) and a notice to the old one; nothing changes before the link; an
/// address another account has gets the same page (its holder is told by e-mail). The username of a
/// self-registered citizen is their address and follows it.
/// </summary>
public sealed class ChangeEmailTests(AccountPortalHostFixture fixture) : IClassFixture<AccountPortalHostFixture>
{
    private const string PagePath = "/account/email";

    private OnePassHost Host => fixture.Host;

    [Fact]
    public async Task Post_SixMinutesAfterSignIn_IsRefusedWithASignInLink_AndSendsNothing()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var form = await browser.NavigateAsync(PagePath);
        var target = NewAddress("late");
        fixture.Time.Advance(TimeSpan.FromMinutes(6));

        var page = await browser.SubmitAsync(form, new Dictionary<string, string> { ["email"] = target });

        Assert.Equal(HttpStatusCode.Forbidden, page.Status);
        Assert.Equal("/account/login?ReturnUrl=%2Faccount%2Femail", page.Document.QuerySelector("#email-fresh a")!.GetAttribute("href"));
        Assert.Empty(To(Host, target));
        Assert.Equal(email, await EmailOfAsync(email));
    }

    [Fact]
    public async Task Post_NewAddress_SendsALinkToItAndANoticeToTheOldOne_AndChangesNothingYet()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var target = NewAddress("new");

        var page = await RequestChangeAsync(browser, target);

        Assert.NotNull(page.Document.GetElementById("email-sent"));
        var link = Links(Mail(target, "mail.emailChange.confirm.subject"))[0];
        Assert.Equal("/account/email/confirm", link.AbsolutePath);
        Assert.Equal(Host.Issuer.GetLeftPart(UriPartial.Authority), link.GetLeftPart(UriPartial.Authority));
        var notice = Mail(email, "mail.emailChange.notice.subject");
        Assert.Equal(Texts.Get("mail.emailChange.notice.subject"), notice.Subject);
        Assert.Contains(target, notice.TextBody, StringComparison.Ordinal);
        Assert.Equal(email, await EmailOfAsync(email));
    }

    [Fact]
    public async Task Link_OpenedWithGet_ShowsAButtonAndChangesNothing()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var target = NewAddress("get");
        await RequestChangeAsync(browser, target);

        var page = await browser.NavigateAsync(Links(Mail(target, "mail.emailChange.confirm.subject"))[0].PathAndQuery);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.NotNull(page.Document.GetElementById("email-change-confirm"));
        Assert.Equal(email, await EmailOfAsync(email));
    }

    [Fact]
    public async Task Link_Confirmed_ChangesAddressAndUsername_SignInWorksWithTheNewAddressOnly()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var target = NewAddress("moved");
        await RequestChangeAsync(browser, target);

        var done = await ConfirmElsewhereAsync(Links(Mail(target, "mail.emailChange.confirm.subject"))[0]);

        Assert.NotNull(done.Document.GetElementById("email-change-done"));
        Assert.Equal(target, await EmailOfAsync(target));
        using var fresh = Host.CreateBrowser();
        await fresh.SignInAsync(target, StrongPassword);
        Assert.True(await IsSignedInAsync(fresh));
        using var old = Host.CreateBrowser();
        await old.SignInAsync(email, StrongPassword);
        Assert.False(await IsSignedInAsync(old));
    }

    [Fact]
    public async Task Link_ConfirmedInTheSignedInBrowser_KeepsThatSession()
    {
        var (browser, _) = await SignedInCitizenAsync();
        using var __ = browser;
        var target = NewAddress("same-browser");
        await RequestChangeAsync(browser, target);

        await ConfirmAsync(browser, Links(Mail(target, "mail.emailChange.confirm.subject"))[0]);

        Assert.True(await IsSignedInAsync(browser));
        var profile = await browser.NavigateAsync("/account/profile");
        Assert.Equal(target, profile.Document.GetElementById("profile-email")!.TextContent.Trim());
    }

    [Fact]
    public async Task SeededCitizen_ConfirmedChange_KeepsTheirOwnUsername()
    {
        using var browser = Host.CreateBrowser();
        await browser.SignInAsync(AccountPortalHostFixture.SeededCitizen);
        var target = NewAddress("seeded");
        await RequestChangeAsync(browser, target);

        await ConfirmAsync(browser, Links(Mail(target, "mail.emailChange.confirm.subject"))[0]);

        Assert.Equal(target, await Host.WithDatabaseAsync(db =>
            db.Users.Where(user => user.UserName == AccountPortalHostFixture.SeededCitizen).Select(user => user.Email).SingleAsync()));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-33")]
    public async Task Link_WorksOnce_AndNotASecondTime()
    {
        var (browser, _) = await SignedInCitizenAsync();
        using var __ = browser;
        var target = NewAddress("once");
        await RequestChangeAsync(browser, target);
        var link = Links(Mail(target, "mail.emailChange.confirm.subject"))[0];

        var first = await ConfirmElsewhereAsync(link);
        var second = await ConfirmElsewhereAsync(link);

        Assert.NotNull(first.Document.GetElementById("email-change-done"));
        Assert.Equal(HttpStatusCode.BadRequest, second.Status);
        Assert.NotNull(second.Document.GetElementById("email-change-invalid"));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-33")]
    public async Task Link_WithItsAddressReplaced_IsRefused()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var target = NewAddress("bound");
        var attacker = NewAddress("attacker");
        await RequestChangeAsync(browser, target);
        var link = Links(Mail(target, "mail.emailChange.confirm.subject"))[0];
        var query = QueryHelpers.ParseQuery(link.Query);
        var forged = QueryHelpers.AddQueryString("/account/email/confirm", new Dictionary<string, string?>
        {
            ["userId"] = query["userId"], ["email"] = attacker, ["code"] = query["code"],
        });

        var page = await ConfirmElsewhereAsync(new Uri(Host.Issuer, forged));

        Assert.NotNull(page.Document.GetElementById("email-change-invalid"));
        Assert.Equal(email, await EmailOfAsync(email));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-33")]
    public async Task Link_ForAnotherCitizensId_IsRefusedAndChangesNeither()
    {
        var victim = NewAddress("victim");
        await RegisterAndVerifyAsync(Host, victim);
        var victimId = await Host.WithDatabaseAsync(db => db.Users.Where(user => user.Email == victim).Select(user => user.Id).SingleAsync());
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var target = NewAddress("guess");
        await RequestChangeAsync(browser, target);
        var query = QueryHelpers.ParseQuery(Links(Mail(target, "mail.emailChange.confirm.subject"))[0].Query);
        var forged = QueryHelpers.AddQueryString("/account/email/confirm", new Dictionary<string, string?>
        {
            ["userId"] = victimId.ToString(), ["email"] = target, ["code"] = query["code"],
        });

        var page = await ConfirmElsewhereAsync(new Uri(Host.Issuer, forged));

        Assert.NotNull(page.Document.GetElementById("email-change-invalid"));
        Assert.Equal(victim, await EmailOfAsync(victim));
        Assert.Equal(email, await EmailOfAsync(email));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-22")]
    public async Task Post_AddressOfAnotherAccount_GetsTheSamePageAsAFreeOne_OnlyTheEmailSaysItIsTaken()
    {
        var taken = NewAddress("taken");
        await RegisterAndVerifyAsync(Host, taken);
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var free = NewAddress("free");
        var mailsToTaken = To(Host, taken).Count;

        var forFree = await PostChangeAsync(browser, free);
        var forTaken = await PostChangeAsync(browser, taken);

        Assert.Equal(HttpStatusCode.SeeOther, forFree.StatusCode);
        Assert.Equal(forFree.StatusCode, forTaken.StatusCode);
        Assert.Equal(forFree.Headers.Location, forTaken.Headers.Location);
        Assert.Equal(CookieNames(forFree), CookieNames(forTaken));
        var freePage = await browser.FollowAsync(forFree);
        var takenPage = await browser.FollowAsync(forTaken);
        Assert.Equal(WithoutTokens(freePage.Html), WithoutTokens(takenPage.Html));
        var told = Mail(taken, "mail.emailChange.exists.subject");
        Assert.Equal(mailsToTaken + 1, To(Host, taken).Count);
        Assert.Equal(Texts.Get("mail.emailChange.exists.subject"), told.Subject);
        Assert.DoesNotContain(Links(told), link => link.AbsolutePath == "/account/email/confirm");
        Assert.Equal(email, await EmailOfAsync(email));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-an-address")]
    [InlineData("a@b.org\r\nBcc: evil@example.org")]
    [InlineData("kim@exam ple.org")]
    public async Task Post_InvalidAddress_Returns400WithTheErrorUnderTheField_AndSendsNothing(string address)
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var before = Directory.Exists(Host.MailDirectory) ? Directory.GetFiles(Host.MailDirectory).Length : 0;
        var form = await browser.NavigateAsync(PagePath);

        var page = await browser.SubmitAsync(form, new Dictionary<string, string> { ["email"] = address });

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.NotNull(page.Document.GetElementById("email-error"));
        Assert.Contains("email-error", page.Document.GetElementById("email")!.GetAttribute("aria-describedby"), StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFiles(Host.MailDirectory).Length);
        Assert.Equal(email, await EmailOfAsync(email));
    }

    [Fact]
    public async Task Post_SameAddressAsNow_Returns400WithTheErrorUnderTheField()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var form = await browser.NavigateAsync(PagePath);

        var page = await browser.SubmitAsync(form, new Dictionary<string, string> { ["email"] = email.ToUpperInvariant() });

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Contains(Texts.Get("email.change.same"), page.Document.GetElementById("email-error")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-01")]
    public async Task Post_WithoutAntiforgeryToken_Returns400_AndSendsNothing()
    {
        var (browser, _) = await SignedInCitizenAsync();
        using var __ = browser;
        var target = NewAddress("csrf");

        var response = await browser.PostFormAsync(PagePath, [new("email", target)]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(To(Host, target));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-01")]
    public async Task Confirm_WithoutAntiforgeryToken_Returns400_AndChangesNothing()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var target = NewAddress("csrf-confirm");
        await RequestChangeAsync(browser, target);
        var query = QueryHelpers.ParseQuery(Links(Mail(target, "mail.emailChange.confirm.subject"))[0].Query);

        var response = await browser.PostFormAsync("/account/email/confirm",
            [new("userId", query["userId"]!), new("email", target), new("code", query["code"]!)]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(email, await EmailOfAsync(email));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-35")]
    public async Task Post_UnderAForgedHostHeader_LinkUsesTheConfiguredIssuer()
    {
        var (browser, _) = await SignedInCitizenAsync();
        using var __ = browser;
        var target = NewAddress("host");
        var form = await browser.NavigateAsync(PagePath);
        var fields = form.Form().Fields.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        fields["email"] = target;
        using var request = new HttpRequestMessage(HttpMethod.Post, PagePath) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Host = "evil.example";
        request.Headers.Add("X-Forwarded-Host", "evil.example");

        var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var link = Links(Mail(target, "mail.emailChange.confirm.subject"))[0];
        Assert.Equal(Host.Issuer.GetLeftPart(UriPartial.Authority), link.GetLeftPart(UriPartial.Authority));
    }

    [Theory]
    [InlineData("/account/email/confirm")]
    [InlineData("/account/email/confirm?userId=nope&email=a%40b.org&code=x")]
    [InlineData("/account/email/confirm?userId=00000000-0000-0000-0000-000000000000&email=bad&code=x")]
    public async Task Link_Malformed_ShowsInvalidNever500(string path)
    {
        using var browser = Host.CreateBrowser();

        var page = await browser.NavigateAsync(path);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.NotNull(page.Document.GetElementById("email-change-invalid"));
    }

    private async Task<(BrowserClient Browser, string Email)> SignedInCitizenAsync()
    {
        var email = NewAddress("email");
        await RegisterAndVerifyAsync(Host, email);
        var browser = Host.CreateBrowser();
        await browser.SignInAsync(email, StrongPassword);
        return (browser, email);
    }

    private static async Task<BrowserPage> RequestChangeAsync(BrowserClient browser, string address)
    {
        var form = await browser.NavigateAsync(PagePath);
        return await browser.SubmitAsync(form, new Dictionary<string, string> { ["email"] = address });
    }

    private static async Task<HttpResponseMessage> PostChangeAsync(BrowserClient browser, string address)
    {
        var form = await browser.NavigateAsync(PagePath);
        var fields = form.Form().Fields.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        fields["email"] = address;
        return await browser.PostFormAsync(PagePath, fields);
    }

    private static async Task<BrowserPage> ConfirmAsync(BrowserClient browser, Uri link)
    {
        var page = await browser.NavigateAsync(link.PathAndQuery);
        return page.Document.GetElementById("email-change-confirm") is null ? page : await browser.SubmitAsync(page, new Dictionary<string, string>());
    }

    /// <summary>Follows the link in a browser that is not signed in (the mailbox may be read anywhere).</summary>
    private async Task<BrowserPage> ConfirmElsewhereAsync(Uri link)
    {
        using var browser = Host.CreateBrowser();
        return await ConfirmAsync(browser, link);
    }

    /// <summary>The newest message to the address with that subject (the test clock stands still, so file names may tie).</summary>
    private MimeKit.MimeMessage Mail(string address, string subjectKey) => To(Host, address).Last(message => message.Subject == Texts.Get(subjectKey));

    /// <summary>The address of the account with that username (self-registered: the address it signs in with).</summary>
    private Task<string?> EmailOfAsync(string username) => Host.WithDatabaseAsync(db =>
        db.Users.Where(user => user.UserName == username).Select(user => user.Email).SingleAsync());
}
