using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OnePass.IdentityProvider.Features.Account;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.IdentityProvider.Features.Mfa.Passkeys;
using OnePass.IdentityProvider.Features.Site;
using OnePass.TestKit;
using OtpNet;

namespace OnePass.IdentityProvider.Tests.Mfa.Passkeys;

/// <summary>A OnePass on a fake clock that moves only when a test moves it (ceremony and pending-sign-in state included).</summary>
public sealed class ClockHostFixture : IDisposable
{
    public const string AppUser = "clock-app";
    private int _next;

    public ClockHostFixture()
    {
        Host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureSeed = seed =>
            {
                var users = seed["users"]!.AsArray();
                for (var i = 1; i <= 10; i++)
                {
                    users.Add(TestSeed.User("clock" + i, $"clock{i}@example.test", "Clock Citizen " + i));
                }

                var app = TestSeed.User(AppUser, "clock-app@example.test", "Clock App Citizen");
                app["totpSecret"] = Base32Encoding.ToString(Secret);
                users.Add(app);
            },
            ConfigureServices = services => services.AddSingleton<TimeProvider>(Clock),
        });
        Host.EnsureStarted();
    }

    // Whole seconds: rows written at "now" compare exactly.
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public byte[] Secret { get; } = TotpAuthenticator.NewSecret();

    public OnePassHost Host { get; }

    public string NewUser() => "clock" + Interlocked.Increment(ref _next);

    public void Dispose() => Host.Dispose();
}

/// <summary>
/// Short-lived sign-in state (issue 4): a passkey ceremony lives two minutes, a pending second step five
/// (CATALOGUE IN-LG-09, AT-17); after that the answer is refused and nobody is signed in.
/// </summary>
public sealed class PasskeyLifetimeTests(ClockHostFixture fixture) : IClassFixture<ClockHostFixture>
{
    private OnePassHost Host => fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task SignIn_AnsweredAfterTheCeremonyLifetime_Refused()
    {
        using var authenticator = await MfaSteps.PasskeyForAsync(Host, fixture.NewUser());
        using var browser = Host.CreateBrowser();
        var options = await PasskeyCalls.PostAsync(browser, "signin/options", new JsonObject());
        fixture.Clock.Advance(PasskeyRelyingParty.CeremonyLifetime + TimeSpan.FromSeconds(1));

        var answer = await PasskeyCalls.PostAsync(browser, "signin", authenticator.Assert(options.Json, MfaSteps.Origin));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(Texts.In("en", "passkey.error.signInExpired"), answer.Json.GetProperty("error_description").GetString());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task SignIn_AnsweredWithinTheCeremonyLifetime_Accepted()
    {
        using var authenticator = await MfaSteps.PasskeyForAsync(Host, fixture.NewUser());
        using var browser = Host.CreateBrowser();
        var options = await PasskeyCalls.PostAsync(browser, "signin/options", new JsonObject());
        fixture.Clock.Advance(PasskeyRelyingParty.CeremonyLifetime - TimeSpan.FromSeconds(5));

        var answer = await PasskeyCalls.PostAsync(browser, "signin", authenticator.Assert(options.Json, MfaSteps.Origin));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-17")]
    public async Task PendingSignIn_AfterFiveMinutes_RightCodeRefusedAndNoCodeIssued()
    {
        using var browser = Host.CreateBrowser();
        var request = MfaSteps.Request();
        var codePage = await MfaSteps.PasswordStepAsync(browser, request, ClockHostFixture.AppUser);
        Assert.True(MfaSteps.IsCodePage(codePage), codePage.Uri.ToString());
        fixture.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var code = new Totp(fixture.Secret).ComputeTotp(fixture.Clock.GetUtcNow().UtcDateTime);

        var answer = await MfaSteps.SubmitCodeAsync(browser, codePage, code, request);

        Assert.False(answer.StoppedAtRedirect, "no code after an expired pending sign-in");
        Assert.True(answer.IsLoginPage, answer.Uri.ToString());
        Assert.Equal(SignInPaths.LoginPath, answer.Uri.AbsolutePath);
        var again = await browser.NavigateAsync(request.ToUrl(), MfaSteps.AtAgency(request));
        Assert.True(again.IsLoginPage, again.Uri.ToString());
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-17")]
    public async Task PendingSignIn_AfterFiveMinutes_PasskeySecondFactorRefused()
    {
        var user = fixture.NewUser();
        using var authenticator = await MfaSteps.PasskeyForAsync(Host, user);
        using var browser = Host.CreateBrowser();
        await browser.SignInAsync(user);
        fixture.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var options = await PasskeyCalls.PostAsync(browser, "secondfactor/options", new JsonObject());

        Assert.Equal(HttpStatusCode.BadRequest, options.Status);
        Assert.Equal(Texts.In("en", "passkey.error.noPendingSignIn"), options.Json.GetProperty("error_description").GetString());
        Assert.True((await browser.NavigateAsync(VerifyModel.Path)).IsLoginPage, "the second step is gone: back to the password");
    }
}
