using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Mfa;

/// <summary>
/// Authenticator-app enrolment and recovery codes (issue 4 item 1, CONTRACT §4): confirmed only by a valid
/// first code, recovery codes shown once and still usable while codes are locked (CATALOGUE AT-21), and a
/// restarted enrolment starts with no lock.
/// </summary>
public sealed class TotpEnrolmentTests(MfaHostFixture fixture) : IClassFixture<MfaHostFixture>
{
    private const string SetupPath = "/account/security/totp";
    private OnePassHost Host => fixture.Host;

    [Theory]
    [Trait(Catalogue.Row, "IN-LG-06")]
    [Trait(Catalogue.Row, "IN-LG-08")]
    [InlineData("two steps ahead")]
    [InlineData("12345")]
    public async Task Enrolment_WrongFirstCode_SameFormWithMessageAndAppUnconfirmed(string wrong)
    {
        var user = fixture.NewUser();
        using var browser = Host.CreateBrowser();
        await browser.SignInAsync(user);
        var setup = await browser.NavigateAsync(SetupPath);
        var secret = setup.Document.QuerySelector("#totp-secret")!.TextContent;
        var code = wrong == "two steps ahead" ? MfaSteps.CodeAt(secret, 2) : wrong;

        var answer = await browser.SubmitAsync(setup, new Dictionary<string, string> { ["code"] = code });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.NotNull(answer.Document.QuerySelector("#totp-error"));
        Assert.Null(answer.Document.QuerySelector("#recovery-codes"));
        var row = await TotpOfAsync(user);
        Assert.Null(row.ConfirmedAt);
        Assert.Equal(0, await RecoveryCodeCountAsync(user));
        Assert.False(await FactorsAsync(user, factors => factors.HasTotp));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-21")]
    public async Task RecoveryCodes_OnALaterVisit_AreNotShownAgain()
    {
        var user = fixture.NewUser();
        using var browser = Host.CreateBrowser();
        var (_, codes) = await EnrolAsync(browser, user);

        var again = await browser.NavigateAsync(SetupPath);
        var security = await browser.NavigateAsync("/account/security");

        Assert.Equal("/account/security", again.Uri.AbsolutePath);
        foreach (var page in new[] { again, security })
        {
            Assert.Null(page.Document.QuerySelector("#recovery-codes"));
            Assert.DoesNotContain(codes, code => page.Html.Contains(code, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-21")]
    [Trait(Catalogue.Row, "AT-20")]
    public async Task RecoveryCode_WhileCodesAreLocked_StillSignsInAtLoa2()
    {
        var user = fixture.NewUser();
        string[] codes;
        using (var enrolment = Host.CreateBrowser())
        {
            (_, codes) = await EnrolAsync(enrolment, user);
        }

        await LockCodesAsync(user);
        using var browser = Host.CreateBrowser();
        var request = MfaSteps.Request();
        var codePage = await MfaSteps.PasswordStepAsync(browser, request, user);

        var callback = await MfaSteps.AllowAsync(browser, await MfaSteps.SubmitCodeAsync(browser, codePage, codes[3], request), request);

        Assert.True((await TotpOfAsync(user)).LockedUntil > DateTimeOffset.UtcNow, "codes were locked during the sign-in");
        Assert.Equal(AssuranceLevels.TwoFactors, (await MfaSteps.IdTokenAsync(Host, callback, request)).GetProperty("acr").GetString());
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-21")]
    public async Task Enrolment_RestartedWhileCodesAreLocked_StartsUnlockedAndConfirms()
    {
        var user = fixture.NewUser();
        using var browser = Host.CreateBrowser();
        await browser.SignInAsync(user);
        await browser.NavigateAsync(SetupPath);
        await LockCodesAsync(user);

        var restarted = await browser.NavigateAsync(SetupPath);
        var secret = restarted.Document.QuerySelector("#totp-secret")!.TextContent;
        var confirmed = await browser.SubmitAsync(restarted, new Dictionary<string, string> { ["code"] = MfaSteps.CodeAt(secret) });

        Assert.Equal(RecoveryCodes.Count, confirmed.Document.QuerySelectorAll("#recovery-codes code").Length);
        var row = await TotpOfAsync(user);
        Assert.Null(row.LockedUntil);
        Assert.NotNull(row.ConfirmedAt);
    }

    /// <summary>Signs in with the password, sets up the app with a computed code; returns the secret and the recovery codes shown.</summary>
    private static async Task<(string Secret, string[] Codes)> EnrolAsync(BrowserClient browser, string user)
    {
        await browser.SignInAsync(user);
        var setup = await browser.NavigateAsync(SetupPath);
        var secret = setup.Document.QuerySelector("#totp-secret")!.TextContent;
        var confirmed = await browser.SubmitAsync(setup, new Dictionary<string, string> { ["code"] = MfaSteps.CodeAt(secret) });
        var codes = confirmed.Document.QuerySelectorAll("#recovery-codes code").Select(element => element.TextContent).ToArray();
        Assert.Equal(RecoveryCodes.Count, codes.Length);
        return (secret, codes);
    }

    /// <summary>Ten wrong codes in a row, as an attacker with the password would send them (CATALOGUE AT-20, AT-21).</summary>
    private Task LockCodesAsync(string user) => Host.WithServicesAsync(async services =>
    {
        var id = await UserIdAsync(user);
        var totp = services.GetRequiredService<TotpAuthenticator>();
        for (var i = 0; i < TotpAuthenticator.MaxConsecutiveFailures; i++)
        {
            await totp.RecordFailureAsync(id);
        }
    });

    private Task<Guid> UserIdAsync(string user) => Host.WithDatabaseAsync(db => db.Users.Where(u => u.UserName == user).Select(u => u.Id).SingleAsync());

    private Task<UserTotp> TotpOfAsync(string user) => Host.WithDatabaseAsync(db =>
        db.UserTotps.AsNoTracking().SingleAsync(totp => db.Users.Any(u => u.Id == totp.UserId && u.UserName == user)));

    private Task<int> RecoveryCodeCountAsync(string user) => Host.WithDatabaseAsync(db =>
        db.RecoveryCodes.CountAsync(code => db.Users.Any(u => u.Id == code.UserId && u.UserName == user)));

    private async Task<bool> FactorsAsync(string user, Func<SecondFactors, bool> test)
    {
        var id = await UserIdAsync(user);
        var result = false;
        await Host.WithServicesAsync(async services => result = test(await services.GetRequiredService<MfaSignIn>().FactorsAsync(id)));
        return result;
    }
}
