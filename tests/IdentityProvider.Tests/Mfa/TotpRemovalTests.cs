using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OnePass.TestKit;
using OtpNet;

namespace OnePass.IdentityProvider.Tests.Mfa;

/// <summary>Removing the authenticator app needs a sign-in from the last five minutes (issue 4).</summary>
public sealed class TotpRemovalTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly OnePassHost _host;

    public TotpRemovalTests()
    {
        _host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureSeed = seed =>
            {
                seed["users"]!.AsArray().Add(TestSeed.User("remove-a", "remove-a@example.test", "Remove A"));
                seed["users"]!.AsArray().Add(TestSeed.User("remove-b", "remove-b@example.test", "Remove B"));
            },
            ConfigureServices = services => services.AddSingleton<TimeProvider>(_time),
        });
    }

    public void Dispose() => _host.Dispose();

    private async Task<BrowserPage> EnrolledSecurityPageAsync(BrowserClient browser, string user)
    {
        await browser.SignInAsync(user);
        var setup = await browser.NavigateAsync("/account/security/totp");
        var secret = setup.Document.QuerySelector("#totp-secret")!.TextContent;
        var code = new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(_time.GetUtcNow().UtcDateTime);
        await browser.SubmitAsync(setup, new Dictionary<string, string> { ["code"] = code });
        return await browser.NavigateAsync("/account/security");
    }

    private Task<bool> HasTotpAsync(string user) => _host.WithDatabaseAsync(db =>
        db.UserTotps.AnyAsync(totp => totp.ConfirmedAt != null && db.Users.Any(u => u.Id == totp.UserId && u.UserName == user)));

    [Fact]
    public async Task RemoveTotp_RightAfterSigningIn_RemovesItAndItsRecoveryCodes()
    {
        using var browser = _host.CreateBrowser();
        var security = await EnrolledSecurityPageAsync(browser, "remove-a");

        await browser.SubmitAsync(security, new Dictionary<string, string>(), which: form => form.QuerySelector("#totp-remove") is not null);

        Assert.False(await HasTotpAsync("remove-a"));
        Assert.Equal(0, await _host.WithDatabaseAsync(db => db.RecoveryCodes.CountAsync(code => db.Users.Any(u => u.Id == code.UserId && u.UserName == "remove-a"))));
    }

    [Fact]
    public async Task RemoveTotp_SixMinutesAfterSigningIn_AsksForAFreshSignInAndKeepsIt()
    {
        using var browser = _host.CreateBrowser();
        var security = await EnrolledSecurityPageAsync(browser, "remove-b");
        _time.Advance(TimeSpan.FromMinutes(6));

        var answer = await browser.SubmitAsync(security, new Dictionary<string, string>(), which: form => form.QuerySelector("#totp-remove") is not null);

        Assert.NotNull(answer.Document.QuerySelector("#security-message"));
        Assert.True(await HasTotpAsync("remove-b"));
    }
}
