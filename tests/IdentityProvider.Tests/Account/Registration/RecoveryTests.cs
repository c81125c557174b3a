using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OnePass.TestKit;
using static OnePass.IdentityProvider.Tests.Account.Registration.AccountMail;

namespace OnePass.IdentityProvider.Tests.Account.Registration;

/// <summary>"Forgot password" by e-mail link: single use, one hour, sessions ended, links from the issuer (issue 6).</summary>
public sealed class RecoveryTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private const string NewPassword = "a brand new password for our citizens";
    private const string OtherNewPassword = "yet another fresh password here";

    private OnePassHost Host => fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "AT-22")]
    public async Task ForgotPassword_KnownAndUnknownAddress_GetTheSameAnswer_OnlyTheKnownGetsMail()
    {
        var known = NewAddress("known");
        var unknown = NewAddress("other");
        await RegisterAndVerifyAsync(Host, known);
        using var first = Host.CreateBrowser();
        using var second = Host.CreateBrowser();
        var firstForm = await first.NavigateAsync("/account/forgot-password");
        var secondForm = await second.NavigateAsync("/account/forgot-password");

        var forKnown = await first.PostFormAsync("/account/forgot-password", WithEmail(firstForm, known));
        var forUnknown = await second.PostFormAsync("/account/forgot-password", WithEmail(secondForm, unknown));

        Assert.Equal(HttpStatusCode.SeeOther, forKnown.StatusCode);
        Assert.Equal(forKnown.StatusCode, forUnknown.StatusCode);
        Assert.Equal(forKnown.Headers.Location, forUnknown.Headers.Location);
        Assert.Equal(CookieNames(forKnown), CookieNames(forUnknown));
        var knownPage = await first.FollowAsync(forKnown);
        var unknownPage = await second.FollowAsync(forUnknown);
        Assert.Equal(WithoutTokens(knownPage.Html), WithoutTokens(unknownPage.Html));
        Assert.Equal("/account/reset-password", Links(Newest(Host, known))[0].AbsolutePath);
        Assert.Empty(To(Host, unknown));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-33")]
    public async Task ResetLink_WorksOnce_AndNotASecondTime()
    {
        var email = NewAddress();
        await RegisterAndVerifyAsync(Host, email);
        using var browser = Host.CreateBrowser();
        await ForgotPasswordAsync(browser, email);
        var link = Links(Newest(Host, email))[0];

        var first = await ResetPasswordAsync(browser, link, NewPassword);
        var second = await ResetPasswordAsync(browser, link, OtherNewPassword);

        Assert.NotNull(first.Document.GetElementById("reset-done"));
        Assert.NotNull(second.Document.GetElementById("reset-invalid"));
        await browser.SignInAsync(email, NewPassword);
        Assert.True(await IsSignedInAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-33")]
    public async Task ResetLink_ForAnotherUsersId_IsRefused()
    {
        var victim = NewAddress("victim");
        var attacker = NewAddress("attack");
        await RegisterAndVerifyAsync(Host, victim);
        await RegisterAndVerifyAsync(Host, attacker);
        using var browser = Host.CreateBrowser();
        await ForgotPasswordAsync(browser, attacker);
        var attackerLink = Links(Newest(Host, attacker))[0];
        var victimId = Guid.Empty;
        await Host.WithServicesAsync(async services =>
            victimId = (await services.GetRequiredService<UserManager<Data.OnePassUser>>().FindByEmailAsync(victim))!.Id);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(attackerLink.Query);

        var page = await ResetPasswordAsync(browser, new Uri(Host.Issuer,
            $"/account/reset-password?userId={victimId}&code={Uri.EscapeDataString(query["code"]!)}"), NewPassword);

        Assert.NotNull(page.Document.GetElementById("reset-invalid"));
        using var owner = Host.CreateBrowser();
        await owner.SignInAsync(victim, StrongPassword);
        Assert.True(await IsSignedInAsync(owner));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-33")]
    public async Task Reset_EndsEverySessionOfTheUser_AndSaysSoByEmail()
    {
        var email = NewAddress();
        await RegisterAndVerifyAsync(Host, email);
        using var signedIn = Host.CreateBrowser();
        await signedIn.SignInAsync(email, StrongPassword);
        Assert.True(await IsSignedInAsync(signedIn));
        using var browser = Host.CreateBrowser();
        await ForgotPasswordAsync(browser, email);

        await ResetPasswordAsync(browser, Links(Newest(Host, email))[0], NewPassword);

        Assert.False(await IsSignedInAsync(signedIn));
        var notice = Newest(Host, email);
        Assert.Equal("/account/forgot-password", Links(notice)[0].AbsolutePath);
        Assert.Equal(Features.Site.Texts.Get("mail.changed.subject"), notice.Subject);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-33")]
    public void ResetAndVerificationLinks_LiveOneHour()
    {
        Host.EnsureStarted();
        var lifespan = Host.Services.GetRequiredService<IOptions<DataProtectionTokenProviderOptions>>().Value.TokenLifespan;

        Assert.Equal(TimeSpan.FromHours(1), lifespan);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-33")]
    public async Task ResetLink_OlderThanItsLifespan_IsRefused()
    {
        // Identity's DataProtectorTokenProvider reads the system clock (no TimeProvider in .NET 10), so the host
        // shortens the lifespan instead of moving a clock: any link is older than one tick when followed.
        using var host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureServices = services => services.PostConfigure<DataProtectionTokenProviderOptions>(tokens => tokens.TokenLifespan = TimeSpan.FromTicks(1)),
        });
        var email = NewAddress();
        using var browser = host.CreateBrowser();
        await RegisterAsync(browser, email);
        var verification = await FollowVerificationAsync(browser, Newest(host, email));
        await host.WithServicesAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<Data.OnePassUser>>();
            var user = (await users.FindByEmailAsync(email))!;
            user.EmailConfirmed = true;
            await users.UpdateAsync(user);
            foreach (var claim in await users.GetClaimsAsync(user))
            {
                await users.RemoveClaimAsync(user, claim);
            }
        });
        await ForgotPasswordAsync(browser, email);

        var page = await ResetPasswordAsync(browser, Links(Newest(host, email))[0], NewPassword);

        Assert.NotNull(verification.Document.GetElementById("verify-email-invalid"));
        Assert.NotNull(page.Document.GetElementById("reset-invalid"));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-35")]
    public async Task ForgotPassword_UnderAForgedHostHeader_LinkUsesTheConfiguredIssuer()
    {
        var email = NewAddress();
        await RegisterAndVerifyAsync(Host, email);
        using var browser = Host.CreateBrowser();
        var page = await browser.NavigateAsync("http://evil.example/account/forgot-password");

        await browser.SubmitAsync(page, new Dictionary<string, string> { ["email"] = email });

        var link = Links(Newest(Host, email))[0];
        Assert.Equal(Host.Issuer.GetLeftPart(UriPartial.Authority), link.GetLeftPart(UriPartial.Authority));
        Assert.Equal("/account/reset-password", link.AbsolutePath);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-22")]
    public async Task ResetPassword_MismatchedOrShortPassword_KeepsTheLinkUsable()
    {
        var email = NewAddress();
        await RegisterAndVerifyAsync(Host, email);
        using var browser = Host.CreateBrowser();
        await ForgotPasswordAsync(browser, email);
        var link = Links(Newest(Host, email))[0];

        var mismatch = await ResetPasswordAsync(browser, link, NewPassword, "something else entirely");
        var tooShort = await ResetPasswordAsync(browser, link, "short");
        var done = await ResetPasswordAsync(browser, link, NewPassword);

        Assert.NotNull(mismatch.Document.GetElementById("confirmPassword-error"));
        Assert.NotNull(tooShort.Document.GetElementById("password-error"));
        Assert.NotNull(done.Document.GetElementById("reset-done"));
    }

    private static Dictionary<string, string> WithEmail(BrowserPage form, string email)
    {
        var fields = form.Form().Fields.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        fields["email"] = email;
        return fields;
    }
}
