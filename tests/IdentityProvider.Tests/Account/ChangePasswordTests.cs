using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Site;
using OnePass.TestKit;
using static OnePass.IdentityProvider.Tests.Account.Registration.AccountMail;

namespace OnePass.IdentityProvider.Tests.Account;

/// <summary>
/// Change password at /account/password (issue 6 item 2): a sign-in from the last five minutes, the current
/// password (a wrong one counts towards the lockout), the password policy with errors under their fields; on
/// success every other session ends, this one continues, grants made before stop refreshing, and an e-mail says so.
/// Each test registers a citizen of its own through the pickup folder.
/// </summary>
public sealed class ChangePasswordTests(AccountPortalHostFixture fixture) : IClassFixture<AccountPortalHostFixture>
{
    private const string PagePath = "/account/password";
    private const string NewPassword = "seven quiet rivers under the moon";

    private OnePassHost Host => fixture.Host;

    [Fact]
    public async Task Get_NotSignedIn_RedirectsToLogin()
    {
        using var browser = Host.CreateBrowser();

        var response = await browser.GetAsync(PagePath);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/login", new Uri(Host.Issuer, response.Headers.Location!).AbsolutePath);
    }

    [Fact]
    public async Task Post_SixMinutesAfterSignIn_IsRefusedWithASignInLink_AndChangesNothing()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var form = await browser.NavigateAsync(PagePath);
        fixture.Time.Advance(TimeSpan.FromMinutes(6));

        var page = await SubmitChangeAsync(browser, form, StrongPassword, NewPassword);

        Assert.Equal(HttpStatusCode.Forbidden, page.Status);
        var link = page.Document.QuerySelector("#password-fresh a")!.GetAttribute("href");
        Assert.Equal("/account/login?ReturnUrl=%2Faccount%2Fpassword", link);
        Assert.True(await PasswordWorksAsync(email, StrongPassword));
        Assert.False(await PasswordWorksAsync(email, NewPassword));
        Assert.Null((await browser.NavigateAsync(PagePath)).Document.QuerySelector("input[name=currentPassword]"));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-22")]
    public async Task Post_WrongCurrentPassword_FieldErrorAndOneFailedAttemptCounted()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var form = await browser.NavigateAsync(PagePath);

        var page = await SubmitChangeAsync(browser, form, "not my password at all, sorry", NewPassword);

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        var error = page.Document.GetElementById("currentPassword-error");
        Assert.NotNull(error);
        Assert.Contains("currentPassword-error", page.Document.GetElementById("currentPassword")!.GetAttribute("aria-describedby"), StringComparison.Ordinal);
        Assert.Contains(Texts.Get("password.change.current.wrong"), error.TextContent, StringComparison.Ordinal);
        Assert.Equal(1, await Host.WithDatabaseAsync(db => db.Users.Where(user => user.Email == email).Select(user => user.AccessFailedCount).SingleAsync()));
        Assert.True(await PasswordWorksAsync(email, StrongPassword));
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-LG-04")]
    [InlineData("short")]
    [InlineData("passwordpassword")]
    [InlineData("iloveyoutothemoonandback")]
    [InlineData("my onepass passphrase")]
    public async Task Post_NewPasswordAgainstThePolicy_FieldErrorUnderNewPassword_AndNothingChanged(string rejected)
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var form = await browser.NavigateAsync(PagePath);

        var page = await SubmitChangeAsync(browser, form, StrongPassword, rejected);

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.NotNull(page.Document.GetElementById("password-error"));
        Assert.Contains("password-error", page.Document.GetElementById("password")!.GetAttribute("aria-describedby"), StringComparison.Ordinal);
        Assert.Equal("true", page.Document.GetElementById("password")!.GetAttribute("aria-invalid"));
        Assert.True(await PasswordWorksAsync(email, StrongPassword));
    }

    [Fact]
    public async Task Post_NewPasswordThatContainsTheUsername_IsRefused()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var form = await browser.NavigateAsync(PagePath);

        var page = await SubmitChangeAsync(browser, form, StrongPassword, "my secret is " + email);

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.NotNull(page.Document.GetElementById("password-error"));
        Assert.True(await PasswordWorksAsync(email, StrongPassword));
    }

    [Fact]
    public async Task Post_ConfirmationDiffers_FieldErrorUnderConfirmation()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var form = await browser.NavigateAsync(PagePath);

        var page = await SubmitChangeAsync(browser, form, StrongPassword, NewPassword, "something else entirely here");

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.NotNull(page.Document.GetElementById("confirmPassword-error"));
        Assert.True(await PasswordWorksAsync(email, StrongPassword));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public async Task Post_LongNewPasswordWithSpacesAndEmoji_IsAcceptedAndVerifiedWhole()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var form = await browser.NavigateAsync(PagePath);
        var password = string.Concat(Enumerable.Repeat("🦊 fox jumps ", 11))[..120] + " 🌕 end";

        var page = await SubmitChangeAsync(browser, form, StrongPassword, password);

        Assert.NotNull(page.Document.GetElementById("password-changed"));
        Assert.True(await PasswordWorksAsync(email, password));
        Assert.False(await PasswordWorksAsync(email, password[..^1]));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-33")]
    public async Task Post_Success_EndsEveryOtherSession_KeepsThisOne_AndOnlyTheNewPasswordWorks()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        using var other = Host.CreateBrowser();
        await other.SignInAsync(email, StrongPassword);
        Assert.True(await IsSignedInAsync(other));
        var form = await browser.NavigateAsync(PagePath);

        var page = await SubmitChangeAsync(browser, form, StrongPassword, NewPassword);

        Assert.NotNull(page.Document.GetElementById("password-changed"));
        Assert.True(await IsSignedInAsync(browser));
        Assert.False(await IsSignedInAsync(other));
        Assert.False(await PasswordWorksAsync(email, StrongPassword));
        Assert.True(await PasswordWorksAsync(email, NewPassword));
    }

    [Fact]
    public async Task Post_Success_ThisSessionStillPassesTheSecurityStampCheckLater()
    {
        var (browser, _) = await SignedInCitizenAsync();
        using var __ = browser;
        var form = await browser.NavigateAsync(PagePath);
        await SubmitChangeAsync(browser, form, StrongPassword, NewPassword);

        // Identity re-checks the stamp in the cookie every 30 minutes; the session is kept alive in between.
        fixture.Time.Advance(TimeSpan.FromMinutes(20));
        Assert.True(await IsSignedInAsync(browser));
        fixture.Time.Advance(TimeSpan.FromMinutes(15));

        Assert.True(await IsSignedInAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-07")]
    public async Task Post_Success_OfflineRefreshTokenIssuedBefore_GetsInvalidGrant()
    {
        var email = NewAddress("refresh");
        await RegisterAndVerifyAsync(Host, email);
        using var browser = Host.CreateBrowser();
        var request = new AuthorizationRequest(Agency.Tax.ClientId, Agency.Tax.RedirectUri) { Scope = Agency.Tax.Scope };
        var authorized = await browser.AuthorizeAsync(request, (email, StrongPassword));
        var tokens = await new TokenClient(Host.CreateProtocolClient())
            .RedeemCodeAsync(Agency.Tax.ClientId, Agency.Tax.Secret, authorized.Code!, request.CodeVerifier, Agency.Tax.RedirectUri);
        var form = await browser.NavigateAsync(PagePath);

        await SubmitChangeAsync(browser, form, StrongPassword, NewPassword);
        var refresh = await Agency.Tax.RefreshAsync(Host, tokens["refresh_token"]!);

        Assert.Equal(HttpStatusCode.BadRequest, refresh.Status);
        Assert.Equal("invalid_grant", refresh.Error);
    }

    [Fact]
    public async Task Post_Success_SendsThePasswordChangedEmailWithAResetLinkFromTheIssuer()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var form = await browser.NavigateAsync(PagePath);

        await SubmitChangeAsync(browser, form, StrongPassword, NewPassword);

        var notice = To(Host, email).Last(message => message.Subject == Texts.Get("mail.changed.subject"));
        Assert.StartsWith(Texts.Get("mail.passwordChange.body").Split('\n')[0], notice.TextBody, StringComparison.Ordinal);
        var link = Links(notice)[0];
        Assert.Equal(Host.Issuer.GetLeftPart(UriPartial.Authority), link.GetLeftPart(UriPartial.Authority));
        Assert.Equal("/account/forgot-password", link.AbsolutePath);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-01")]
    public async Task Post_WithoutAntiforgeryToken_Returns400_AndChangesNothing()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;

        var response = await browser.PostFormAsync(PagePath,
            [new("currentPassword", StrongPassword), new("password", NewPassword), new("confirmPassword", NewPassword)]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(await PasswordWorksAsync(email, StrongPassword));
        Assert.Equal(0, await Host.WithDatabaseAsync(db => db.Users.Where(user => user.Email == email).Select(user => user.AccessFailedCount).SingleAsync()));
    }

    private async Task<(BrowserClient Browser, string Email)> SignedInCitizenAsync()
    {
        var email = NewAddress("password");
        await RegisterAndVerifyAsync(Host, email);
        var browser = Host.CreateBrowser();
        await browser.SignInAsync(email, StrongPassword);
        return (browser, email);
    }

    private static Task<BrowserPage> SubmitChangeAsync(BrowserClient browser, BrowserPage form, string current, string password, string? confirm = null) =>
        browser.SubmitAsync(form, new Dictionary<string, string>
        {
            ["currentPassword"] = current,
            ["password"] = password,
            ["confirmPassword"] = confirm ?? password,
        });

    private async Task<bool> PasswordWorksAsync(string email, string password)
    {
        var works = false;
        await Host.WithServicesAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<OnePassUser>>();
            works = await users.CheckPasswordAsync((await users.FindByEmailAsync(email))!, password);
        });
        return works;
    }
}

/// <summary>One identity provider with a clock the tests move (the "fresh sign-in" rule), shared by the tests of a class.</summary>
public sealed class AccountPortalHostFixture : IDisposable
{
    public const string SeededCitizen = "portal-seeded";

    public AccountPortalHostFixture()
    {
        Host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureSeed = seed => seed["users"]!.AsArray().Add(TestSeed.User(SeededCitizen, $"{SeededCitizen}@example.test", "Seeded Citizen")),
            ConfigureServices = services => services.AddSingleton<TimeProvider>(Time),
        });
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public OnePassHost Host { get; }

    public void Dispose() => Host.Dispose();
}
