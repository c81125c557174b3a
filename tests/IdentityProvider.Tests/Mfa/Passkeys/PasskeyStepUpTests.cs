using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.IdentityProvider.Features.Site;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Mfa.Passkeys;

/// <summary>
/// Step-up to loa:3 and per-agency minimum levels with passkeys (issue 4 "Assurance and step-up";
/// CONTRACT §4–§5): a loa:2 session is offered only what reaches loa:3, and only a passkey with user
/// verification does; a concurrent second use of the same signature counter is refused.
/// </summary>
public sealed class PasskeyStepUpTests(MfaHostFixture fixture) : IClassFixture<MfaHostFixture>
{
    private OnePassHost Host => fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    public async Task Loa2Session_AskedForLoa3_IsOfferedOnlyThePasskey()
    {
        var user = fixture.NewTotpUser();
        using var browser = Host.CreateBrowser();
        using var authenticator = await Loa2SessionWithPasskeyAsync(browser, user);
        var stepUp = MfaSteps.Request(TestSeed.HealthClient, TestSeed.HealthRedirect, AssuranceLevels.PhishingResistant);

        var page = await browser.NavigateAsync(stepUp.ToUrl(), MfaSteps.AtAgency(stepUp));

        Assert.False(page.StoppedAtRedirect, page.Uri.ToString());
        Assert.Equal(VerifyModel.Path, page.Uri.AbsolutePath);
        Assert.False(page.IsLoginPage);
        Assert.False(MfaSteps.IsCodePage(page), "a code cannot reach loa:3, so none is asked");
        Assert.NotNull(page.Document.QuerySelector("#passkey-second-factor"));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    public async Task Loa2Session_AskedForLoa3_PasskeyWithoutUserVerificationRefused()
    {
        var user = fixture.NewTotpUser();
        using var browser = Host.CreateBrowser();
        using var authenticator = await Loa2SessionWithPasskeyAsync(browser, user);
        var stepUp = MfaSteps.Request(TestSeed.HealthClient, TestSeed.HealthRedirect, AssuranceLevels.PhishingResistant);
        await browser.NavigateAsync(stepUp.ToUrl(), MfaSteps.AtAgency(stepUp));
        var options = await PasskeyCalls.PostAsync(browser, "secondfactor/options", new JsonObject());

        var answer = await PasskeyCalls.PostAsync(browser, "secondfactor", authenticator.Assert(options.Json, MfaSteps.Origin, SoftwareAuthenticator.UserPresent));

        Assert.Equal("required", options.Json.GetProperty("userVerification").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_request", answer.Error);
        Assert.Equal(Texts.In("en", "passkey.error.userVerification"), answer.Json.GetProperty("error_description").GetString());
        var again = await browser.NavigateAsync(stepUp.ToUrl(), MfaSteps.AtAgency(stepUp));
        Assert.False(again.StoppedAtRedirect, "no code for loa:3 without user verification");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    public async Task AgencyMinimumLoa2_UserWithAuthenticatorApp_GetsCodeWithLoa2()
    {
        var user = fixture.NewTotpUser();
        using var browser = Host.CreateBrowser();
        var request = MfaSteps.Request(TestSeed.StrictClient, TestSeed.StrictRedirect); // minimumAcr loa:2, no acr_values
        var codePage = await MfaSteps.PasswordStepAsync(browser, request, user);

        var callback = await MfaSteps.AllowAsync(browser, await MfaSteps.SubmitCodeAsync(browser, codePage, fixture.Code(user), request), request);

        Assert.True(MfaSteps.IsCodePage(codePage));
        var idToken = await MfaSteps.IdTokenAsync(Host, callback, request, TestSeed.StrictSecret);
        Assert.Equal(AssuranceLevels.TwoFactors, idToken.GetProperty("acr").GetString());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    public async Task AgencyMinimumLoa2_PasswordSessionWithPasskey_SteppedUpByThePasskeyAndGetsCode()
    {
        var user = fixture.NewUser();
        using var browser = Host.CreateBrowser();
        await browser.SignInAsync(user); // a password-only session (loa:1); the passkey is added afterwards
        using var authenticator = await MfaSteps.RegisterPasskeyAsync(browser, "Strict key");
        var request = MfaSteps.Request(TestSeed.StrictClient, TestSeed.StrictRedirect);

        var page = await browser.NavigateAsync(request.ToUrl(), MfaSteps.AtAgency(request));
        var answer = await MfaSteps.PasskeySecondFactorAsync(browser, authenticator);
        var callback = await MfaSteps.ToAgencyAsync(browser, answer.Json.GetProperty("redirect").GetString()!, request);

        Assert.Equal(VerifyModel.Path, page.Uri.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var idToken = await MfaSteps.IdTokenAsync(Host, callback, request, TestSeed.StrictSecret);
        Assert.Equal(AssuranceLevels.PhishingResistant, idToken.GetProperty("acr").GetString()); // pwd + user-verified passkey, above the minimum
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task SignIn_SameCounterSentConcurrently_AcceptedOnlyOnce()
    {
        var user = fixture.NewUser();
        using var authenticator = await MfaSteps.PasskeyForAsync(Host, user);
        const int attempts = 6;
        var browsers = Enumerable.Range(0, attempts).Select(_ => Host.CreateBrowser()).ToList();
        try
        {
            var options = await Task.WhenAll(browsers.Select(browser => PasskeyCalls.PostAsync(browser, "signin/options", new JsonObject())));
            var assertions = options.Select(option => authenticator.Assert(option.Json, MfaSteps.Origin, counter: 7)).ToList();

            var answers = await Task.WhenAll(browsers.Select((browser, i) => PasskeyCalls.PostAsync(browser, "signin", assertions[i])));

            Assert.Single(answers, answer => answer.Status == HttpStatusCode.OK);
            Assert.All(answers.Where(answer => answer.Status != HttpStatusCode.OK), answer => Assert.Equal(HttpStatusCode.BadRequest, answer.Status));
            Assert.Equal(7, await Host.WithDatabaseAsync(db => db.Passkeys.Where(p => p.CredentialId == authenticator.CredentialId).Select(p => p.SignatureCounter).SingleAsync()));
        }
        finally
        {
            browsers.ForEach(browser => browser.Dispose());
        }
    }

    /// <summary>Signs <paramref name="user"/> in with password and code at an agency (loa:2), then registers a passkey in that session.</summary>
    private async Task<SoftwareAuthenticator> Loa2SessionWithPasskeyAsync(BrowserClient browser, string user)
    {
        var request = MfaSteps.Request(TestSeed.HealthClient, TestSeed.HealthRedirect);
        var codePage = await MfaSteps.PasswordStepAsync(browser, request, user);
        var callback = await MfaSteps.SubmitCodeAsync(browser, codePage, fixture.Code(user), request);
        Assert.True(callback.StoppedAtRedirect, callback.Uri.ToString());
        return await MfaSteps.RegisterPasskeyAsync(browser, "Step-up key");
    }
}
