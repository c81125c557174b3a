using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.TestKit;
using OtpNet;

namespace OnePass.IdentityProvider.Tests.Mfa;

/// <summary>One identity provider whose seed gives each test its own user with an authenticator app.</summary>
public sealed class TotpHostFixture : IDisposable
{
    public static readonly string[] Users = ["mfa-a", "mfa-b", "mfa-c", "mfa-d", "mfa-e", "mfa-f", "mfa-g", "mfa-h", "mfa-i"];

    public TotpHostFixture()
    {
        Host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureSeed = seed =>
            {
                foreach (var name in Users)
                {
                    var user = TestSeed.User(name, $"{name}@example.test", name);
                    user["totpSecret"] = Secrets[name] = Base32Encoding.ToString(TotpAuthenticator.NewSecret());
                    seed["users"]!.AsArray().Add(user);
                }

                seed["users"]!.AsArray().Add(TestSeed.User("enrol-a", "enrol-a@example.test", "Enrol A"));
                seed["users"]!.AsArray().Add(TestSeed.User("enrol-b", "enrol-b@example.test", "Enrol B"));
            },
        });
        Host.EnsureStarted();
    }

    public Dictionary<string, string> Secrets { get; } = [];

    public OnePassHost Host { get; }

    public void Dispose() => Host.Dispose();
}

/// <summary>
/// Password + authenticator-app sign-in through the real pages (issue 4, CONTRACT §4–§5; CATALOGUE
/// IN-LG-06…08, AT-17, AT-20, IN-AZ-20).
/// </summary>
public sealed class TotpSignInTests(TotpHostFixture fixture) : IClassFixture<TotpHostFixture>
{
    private OnePassHost Host => fixture.Host;

    private static string CodeAt(string base32, int steps = 0) =>
        new Totp(Base32Encoding.ToBytes(base32)).ComputeTotp(DateTime.UtcNow.AddSeconds(30 * steps));

    private string Code(string user, int steps = 0) => CodeAt(fixture.Secrets[user], steps);

    /// <summary>Starts a code flow at the tax agency and gives the password; returns the page shown next.</summary>
    private static async Task<BrowserPage> PasswordStepAsync(BrowserClient browser, AuthorizationRequest request, string user)
    {
        var page = await browser.NavigateAsync(request.ToUrl(), AtAgency(request));
        Assert.True(page.IsLoginPage, page.Uri.ToString());
        return await browser.SubmitAsync(page, new Dictionary<string, string> { ["username"] = user, ["password"] = TestSeed.Password }, stopAt: AtAgency(request));
    }

    private static Func<Uri, bool> AtAgency(AuthorizationRequest request) =>
        uri => uri.ToString().StartsWith(request.RedirectUri!, StringComparison.Ordinal);

    private static Task<BrowserPage> SubmitCodeAsync(BrowserClient browser, BrowserPage page, string code, AuthorizationRequest request) =>
        browser.SubmitAsync(page, new Dictionary<string, string> { ["code"] = code }, stopAt: AtAgency(request));

    private static bool IsCodePage(BrowserPage page) => page.Document.QuerySelector("input[name=code]") is not null;

    /// <summary>Redeems the code of the agency callback; returns the ID token's payload.</summary>
    private async Task<JsonElement> IdTokenAsync(BrowserPage callback, AuthorizationRequest request)
    {
        Assert.True(callback.StoppedAtRedirect, $"{callback.Uri} {callback.Status}");
        var code = callback.RedirectParameters()["code"];
        var tokens = await new TokenClient(Host.CreateProtocolClient())
            .RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, request.CodeVerifier, TestSeed.TaxRedirect);
        var payload = Tokens.Read(tokens["id_token"]!).EncodedPayload;
        return JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(payload)).RootElement;
    }

    private Task<UserTotp> TotpOfAsync(string name) => Host.WithDatabaseAsync(db =>
        db.UserTotps.AsNoTracking().SingleAsync(totp => db.Users.Any(user => user.Id == totp.UserId && user.UserName == name)));

    private static AuthorizationRequest Request(string? acr = null) => new(TestSeed.TaxClient, TestSeed.TaxRedirect)
    {
        Scope = "openid profile",
        Extra = acr is null ? [] : new() { ["acr_values"] = acr },
    };

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    public async Task PasswordThenCode_GivesLoa2WithOtpAndMfa()
    {
        using var browser = Host.CreateBrowser();
        var request = Request();

        var codePage = await PasswordStepAsync(browser, request, "mfa-a");
        var consent = await SubmitCodeAsync(browser, codePage, Code("mfa-a"), request);
        var callback = consent.IsConsentPage
            ? await browser.SubmitAsync(consent, new Dictionary<string, string>(), "decision", "allow", AtAgency(request))
            : consent;
        var idToken = await IdTokenAsync(callback, request);

        Assert.True(IsCodePage(codePage));
        Assert.Equal("urn:onepass:loa:2", idToken.GetProperty("acr").GetString());
        Assert.Equal(["pwd", "otp", "mfa"], idToken.GetProperty("amr").EnumerateArray().Select(value => value.GetString()));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-17")]
    public async Task AfterPasswordOnly_AuthorizeGivesNoCode_AndLoginLeadsBackToTheCodeStep()
    {
        using var browser = Host.CreateBrowser();
        var request = Request();
        await PasswordStepAsync(browser, request, "mfa-b");

        var again = await browser.NavigateAsync(new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect).ToUrl(), AtAgency(request));

        Assert.False(again.StoppedAtRedirect, "a code was issued without the second factor");
        Assert.True(IsCodePage(again), again.Uri.ToString());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-07")]
    public async Task SameCode_IsAcceptedOnce()
    {
        var code = Code("mfa-c");
        using var first = Host.CreateBrowser();
        using var second = Host.CreateBrowser();
        var request = Request();
        var firstPage = await PasswordStepAsync(first, request, "mfa-c");
        await SubmitCodeAsync(first, firstPage, code, request);

        var secondPage = await PasswordStepAsync(second, request, "mfa-c");
        var replay = await SubmitCodeAsync(second, secondPage, code, request);

        Assert.False(replay.StoppedAtRedirect);
        Assert.Equal(HttpStatusCode.OK, replay.Status);
        Assert.NotNull(replay.Document.QuerySelector("#verify-error"));
        Assert.Equal(1, await Host.WithDatabaseAsync(db => db.AuthEvents.CountAsync(e => e.Method == "otp" && e.Outcome == "replay")));
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-LG-08")]
    [InlineData(-2)]
    [InlineData(2)]
    public async Task CodeTwoStepsAway_IsRefused(int steps)
    {
        var user = steps < 0 ? "mfa-d" : "mfa-e";
        using var browser = Host.CreateBrowser();
        var request = Request();
        var page = await PasswordStepAsync(browser, request, user);

        var result = await SubmitCodeAsync(browser, page, Code(user, steps), request);

        Assert.False(result.StoppedAtRedirect);
        Assert.NotNull(result.Document.QuerySelector("#verify-error"));
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-LG-06")]
    [InlineData("")]
    [InlineData("abcdef")]
    [InlineData("12345")]
    [InlineData("1234567")]
    public async Task MalformedCode_AnswersTheSameFormAndCountsAsAFailure(string code)
    {
        using var browser = Host.CreateBrowser();
        var request = Request();
        var page = await PasswordStepAsync(browser, request, "mfa-f");
        var before = (await TotpOfAsync("mfa-f")).ConsecutiveFailures;

        var result = await SubmitCodeAsync(browser, page, code, request);

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.True(IsCodePage(result));
        Assert.NotNull(result.Document.QuerySelector("#verify-error"));
        Assert.Equal(before + 1, (await TotpOfAsync("mfa-f")).ConsecutiveFailures);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-20")]
    public async Task FiveWrongCodes_EndTheSignIn_AndTenInARowLockCodes()
    {
        using var browser = Host.CreateBrowser();
        var request = Request();
        var page = await PasswordStepAsync(browser, request, "mfa-g");
        for (var i = 0; i < PendingSignIns.MaxAttempts; i++)
        {
            page = await SubmitCodeAsync(browser, page, "000000", request);
        }

        Assert.True(page.IsLoginPage, "after five wrong codes the sign-in starts over");
        page = await browser.SubmitAsync(page, new Dictionary<string, string> { ["username"] = "mfa-g", ["password"] = TestSeed.Password }, stopAt: AtAgency(request));
        for (var i = 0; i < PendingSignIns.MaxAttempts; i++)
        {
            page = await SubmitCodeAsync(browser, page, "000000", request);
        }

        var row = await TotpOfAsync("mfa-g");
        Assert.True(row.LockedUntil > DateTimeOffset.UtcNow, "ten wrong codes in a row lock the codes");

        // Locked: even the right code is refused (a recovery code would still work).
        page = await browser.SubmitAsync(page, new Dictionary<string, string> { ["username"] = "mfa-g", ["password"] = TestSeed.Password }, stopAt: AtAgency(request));
        var locked = await SubmitCodeAsync(browser, page, Code("mfa-g"), request);
        Assert.False(locked.StoppedAtRedirect);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    public async Task PasswordSession_AskedForLoa2_IsSteppedUpWithTheCodeOnly_KeepingItsSid()
    {
        using var browser = Host.CreateBrowser();
        var request = Request();
        // A session reached with a password alone: the user enrols TOTP only afterwards.
        await browser.SignInAsync("enrol-a");
        var setup = await browser.NavigateAsync("/account/security/totp");
        var secret = setup.Document.QuerySelector("#totp-secret")!.TextContent;
        await browser.SubmitAsync(setup, new Dictionary<string, string> { ["code"] = CodeAt(secret) });
        var first = Request();
        var before = await browser.AuthorizeAsync(first);
        var sid = (await IdTokenAsync(before.Page, first)).GetProperty("sid").GetString();

        var stepUp = Request("urn:onepass:loa:2");
        var page = await browser.NavigateAsync(stepUp.ToUrl(), AtAgency(stepUp));

        Assert.True(IsCodePage(page), "only the code is asked");
        Assert.False(page.IsLoginPage);
        var callback = await SubmitCodeAsync(browser, page, CodeAt(secret, 1), stepUp);
        var idToken = await IdTokenAsync(callback, stepUp);
        Assert.Equal("urn:onepass:loa:2", idToken.GetProperty("acr").GetString());
        Assert.Equal(sid, idToken.GetProperty("sid").GetString()); // the same session, stepped up
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    public async Task UserWithoutSecondFactor_AskedForLoa2_GetsUnmetAuthenticationRequirements()
    {
        using var browser = Host.CreateBrowser();
        var request = Request("urn:onepass:loa:2");

        var response = await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password));

        Assert.Equal("unmet_authentication_requirements", response.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    public async Task TotpUser_AskedForLoa3_GetsUnmetAuthenticationRequirements()
    {
        using var browser = Host.CreateBrowser();
        var request = Request("urn:onepass:loa:3");
        var page = await PasswordStepAsync(browser, request, "mfa-h");
        var afterCode = await SubmitCodeAsync(browser, page, Code("mfa-h"), request);

        Assert.True(afterCode.StoppedAtRedirect, afterCode.Uri.ToString());
        Assert.Equal("unmet_authentication_requirements", afterCode.RedirectParameters()["error"]);
    }

    [Fact]
    public async Task Enrolment_ShowsSecretAndQr_AndTenRecoveryCodesOnce_ThatEachWorkOnce()
    {
        using var browser = Host.CreateBrowser();
        await browser.SignInAsync("enrol-b");
        var security = await browser.NavigateAsync("/account/security");
        var setup = await browser.NavigateAsync(security.Document.QuerySelector("#totp-setup")!.GetAttribute("href")!);
        var secret = setup.Document.QuerySelector("#totp-secret")!.TextContent;

        var confirmed = await browser.SubmitAsync(setup, new Dictionary<string, string> { ["code"] = CodeAt(secret) });
        var codes = confirmed.Document.QuerySelectorAll("#recovery-codes code").Select(element => element.TextContent).ToList();

        Assert.StartsWith("data:image/png;base64,", setup.Document.QuerySelector("#totp-qr")!.GetAttribute("src"), StringComparison.Ordinal);
        Assert.Equal(10, codes.Distinct().Count());
        var stored = await Host.WithDatabaseAsync(db => db.RecoveryCodes.Select(c => c.CodeHash).ToListAsync());
        Assert.DoesNotContain(stored, hash => codes.Contains(hash));

        // A recovery code signs in once (loa:2), then never again.
        using var other = Host.CreateBrowser();
        var request = Request();
        var page = await PasswordStepAsync(other, request, "enrol-b");
        var callback = await SubmitCodeAsync(other, page, codes[0].ToUpperInvariant(), request);
        var consentOrCallback = callback.IsConsentPage
            ? await other.SubmitAsync(callback, new Dictionary<string, string>(), "decision", "allow", AtAgency(request))
            : callback;
        Assert.Equal("urn:onepass:loa:2", (await IdTokenAsync(consentOrCallback, request)).GetProperty("acr").GetString());

        using var third = Host.CreateBrowser();
        var again = await SubmitCodeAsync(third, await PasswordStepAsync(third, request, "enrol-b"), codes[0], request);
        Assert.False(again.StoppedAtRedirect);
        Assert.NotNull(again.Document.QuerySelector("#verify-error"));
    }
}
