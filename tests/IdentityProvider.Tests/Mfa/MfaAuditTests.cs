using System.Net;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.IdentityProvider.Tests.Mfa.Passkeys;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Mfa;

/// <summary>
/// Every factor success and failure is an audit event with its method, the agency the sign-in is for
/// (client id), the IP address and the user agent (issue 4, "Audit") — also for the passkey JSON calls,
/// which carry no <c>ReturnUrl</c> of their own: the agency comes from the ceremony or the pending sign-in.
/// </summary>
public sealed class MfaAuditTests(MfaHostFixture fixture) : IClassFixture<MfaHostFixture>
{
    private const string UserAgent = "OnePassAuditProbe/1.0 (X11; Linux x86_64)";
    private OnePassHost Host => fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-07")]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    public async Task OtpSuccess_ThroughAnAgency_EventCarriesMethodAgencyIpAndUserAgent()
    {
        var user = fixture.NewTotpUser();
        using var browser = Browser();
        var request = MfaSteps.Request(TestSeed.HealthClient, TestSeed.HealthRedirect);
        var codePage = await MfaSteps.PasswordStepAsync(browser, request, user);

        var callback = await MfaSteps.SubmitCodeAsync(browser, codePage, fixture.Code(user), request);

        Assert.True(callback.StoppedAtRedirect, callback.Uri.ToString());
        AssertEvent(Assert.Single(await EventsAsync(user, "otp", AuthAudit.Success)), "otp", AuthAudit.Success);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-20")]
    public async Task OtpFailure_ThroughAnAgency_EventCarriesMethodAgencyIpAndUserAgent()
    {
        var user = fixture.NewTotpUser();
        using var browser = Browser();
        var request = MfaSteps.Request(TestSeed.HealthClient, TestSeed.HealthRedirect);
        var codePage = await MfaSteps.PasswordStepAsync(browser, request, user);
        var wrong = fixture.Code(user) == "000000" ? "111111" : "000000";

        var again = await MfaSteps.SubmitCodeAsync(browser, codePage, wrong, request);

        Assert.True(MfaSteps.IsCodePage(again));
        AssertEvent(Assert.Single(await EventsAsync(user, "otp", AuthAudit.Failure)), "otp", AuthAudit.Failure);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    public async Task PasskeySignInSuccess_ThroughAnAgency_EventCarriesMethodAgencyIpAndUserAgent()
    {
        var user = fixture.NewUser();
        using var authenticator = await MfaSteps.PasskeyForAsync(Host, user);
        using var browser = Browser();
        var returnUrl = await MfaSteps.LoginReturnUrlAsync(browser, MfaSteps.Request(TestSeed.HealthClient, TestSeed.HealthRedirect));

        var answer = await MfaSteps.PasskeySignInAsync(browser, authenticator, returnUrl);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        AssertEvent(Assert.Single(await EventsAsync(user, "passkey", AuthAudit.Success)), "passkey", AuthAudit.Success);
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-LG-09")]
    [InlineData("wrong-origin", AuthAudit.Failure)]
    [InlineData("counter-regression", "counter-regression")]
    public async Task PasskeySignInFailure_ThroughAnAgency_EventNamesThatAgency(string spoil, string outcome)
    {
        var user = fixture.NewUser();
        using var authenticator = await MfaSteps.PasskeyForAsync(Host, user);
        using (var earlier = Host.CreateBrowser())
        {
            // A counter to regress from: the stored counter becomes 11.
            authenticator.Counter = 10;
            Assert.Equal(HttpStatusCode.OK, (await MfaSteps.PasskeySignInAsync(earlier, authenticator)).Status);
        }

        using var browser = Browser();
        var returnUrl = await MfaSteps.LoginReturnUrlAsync(browser, MfaSteps.Request(TestSeed.HealthClient, TestSeed.HealthRedirect));

        var answer = spoil == "wrong-origin"
            ? await MfaSteps.PasskeySignInAsync(browser, authenticator, returnUrl, origin: "https://onepass.evil.example")
            : await MfaSteps.PasskeySignInAsync(browser, authenticator, returnUrl, counter: 5);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        AssertEvent(Assert.Single(await EventsAsync(user, "passkey", outcome)), "passkey", outcome);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task PasskeySignInWithUnknownCredential_ThroughAnAgency_EventNamesThatAgency()
    {
        using var stranger = new SoftwareAuthenticator();
        using var browser = Browser();
        var returnUrl = await MfaSteps.LoginReturnUrlAsync(browser, MfaSteps.Request(TestSeed.LegacyClient, TestSeed.LegacyRedirect));

        var answer = await MfaSteps.PasskeySignInAsync(browser, stranger, returnUrl);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        var recorded = await Host.WithDatabaseAsync(db => db.AuthEvents.AsNoTracking()
            .Where(e => e.Method == "passkey" && e.Outcome == "unknown-credential" && e.ClientId == TestSeed.LegacyClient).ToListAsync());
        AssertEvent(Assert.Single(recorded), "passkey", "unknown-credential", TestSeed.LegacyClient);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    public async Task PasskeySecondFactorSuccess_ThroughAnAgency_EventCarriesMethodAgencyIpAndUserAgent()
    {
        var user = fixture.NewUser();
        using var authenticator = await MfaSteps.PasskeyForAsync(Host, user);
        using var browser = Browser();
        await MfaSteps.PasswordStepAsync(browser, MfaSteps.Request(TestSeed.HealthClient, TestSeed.HealthRedirect), user);

        var answer = await MfaSteps.PasskeySecondFactorAsync(browser, authenticator);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        AssertEvent(Assert.Single(await EventsAsync(user, "passkey", AuthAudit.Success)), "passkey", AuthAudit.Success);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task PasskeySecondFactorFailure_ThroughAnAgency_EventNamesThatAgency()
    {
        var user = fixture.NewUser();
        using var authenticator = await MfaSteps.PasskeyForAsync(Host, user);
        using var browser = Browser();
        await MfaSteps.PasswordStepAsync(browser, MfaSteps.Request(TestSeed.HealthClient, TestSeed.HealthRedirect), user);

        var answer = await MfaSteps.PasskeySecondFactorAsync(browser, authenticator, origin: "https://onepass.evil.example");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        AssertEvent(Assert.Single(await EventsAsync(user, "passkey", AuthAudit.Failure)), "passkey", AuthAudit.Failure);
    }

    private BrowserClient Browser()
    {
        var browser = Host.CreateBrowser();
        browser.Http.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", UserAgent);
        return browser;
    }

    private Task<List<AuthEvent>> EventsAsync(string user, string method, string outcome) => Host.WithDatabaseAsync(db => db.AuthEvents.AsNoTracking()
        .Where(e => e.Method == method && e.Outcome == outcome && db.Users.Any(u => u.Id == e.UserId && u.UserName == user))
        .ToListAsync());

    private static void AssertEvent(AuthEvent recorded, string method, string outcome, string clientId = TestSeed.HealthClient)
    {
        Assert.Equal(method, recorded.Method);
        Assert.Equal(outcome, recorded.Outcome);
        Assert.Equal(clientId, recorded.ClientId);
        Assert.Equal(MfaHostFixture.ClientIp.ToString(), recorded.IpAddress);
        Assert.Equal(UserAgent, recorded.UserAgent);
    }
}
