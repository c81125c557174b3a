using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using OnePass.TestKit;
using OtpNet;

namespace OnePass.EndToEnd.Tests;

/// <summary>
/// Multi-factor sign-in in a real browser (Debian's Chromium through Playwright): passkeys with a CDP
/// virtual authenticator (WebAuthn domain) and authenticator-app enrolment with a code computed from the
/// secret on the page. OnePass runs on http://localhost:PORT because Chromium refuses an IP address as
/// relying-party id. A failing test leaves a screenshot of each open page under bin/.../screenshots.
/// </summary>
public sealed class MfaBrowserTests(MfaBrowserFixture fixture) : IClassFixture<MfaBrowserFixture>
{
    private const string PhishingResistant = "urn:onepass:loa:3";

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    [Trait(Catalogue.Row, "IN-TK-10")]
    public async Task PasskeySignIn_AfterRegisteringOnSecurityPage_CompletesLoa3RequestWithoutPassword()
    {
        // Arrange: a citizen signs in with a password and registers a passkey on /account/security.
        var enrolment = await fixture.Browser.NewContextAsync();
        var credentials = await Screenshots.OnFailureAsync(enrolment, nameof(PasskeySignIn_AfterRegisteringOnSecurityPage_CompletesLoa3RequestWithoutPassword) + "-register", async () =>
        {
            var page = await enrolment.NewPageAsync();
            var (cdp, authenticatorId) = await AddAuthenticatorAsync(page);
            await SignInWithPasswordAsync(page, MfaBrowserFixture.PasskeyCitizen, "/account/security");
            await page.FillAsync("#passkey-name", "Test laptop");
            await page.ClickAsync("#passkey-register");
            await page.Locator(".passkey-name", new() { HasText = "Test laptop" }).WaitForAsync();
            var answer = await cdp.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId });
            return answer!.Value.GetProperty("credentials").EnumerateArray().Select(credential => credential.Clone()).ToList();
        });

        // Act: a fresh browser (no session) holding the same passkey answers an agency asking for loa:3.
        var context = await fixture.Browser.NewContextAsync();
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect)
        {
            Extra = { ["acr_values"] = PhishingResistant },
        };
        await Screenshots.OnFailureAsync(context, nameof(PasskeySignIn_AfterRegisteringOnSecurityPage_CompletesLoa3RequestWithoutPassword) + "-signin", async () =>
        {
            var page = await context.NewPageAsync();
            var (cdp, authenticatorId) = await AddAuthenticatorAsync(page);
            foreach (var credential in credentials)
            {
                await cdp.SendAsync("WebAuthn.addCredential", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId, ["credential"] = credential });
            }

            var arrived = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            await page.RouteAsync(TestSeed.TaxRedirect + "**", async route =>
            {
                arrived.TrySetResult(route.Request.Url);
                await route.FulfillAsync(new() { Status = 200, ContentType = "text/plain", Body = "agency callback" });
            });

            await page.GotoAsync(fixture.At(request.ToUrl()).ToString());
            await page.ClickAsync("#passkey-signin");
            var consent = page.Locator("button[name=decision][value=allow]");
            if (await Task.WhenAny(arrived.Task, consent.WaitForAsync()) != arrived.Task)
            {
                await consent.ClickAsync();
            }

            var callback = await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

            // Assert (inside the step, so a failure leaves screenshots): the code redeems to an ID token
            // (signature, issuer, audience checked) claiming loa:3.
            var parameters = QueryHelpers.ParseQuery(new Uri(callback).Query);
            Assert.Equal(request.State, parameters["state"].ToString());
            using var http = fixture.IdentityProvider.CreateProtocolClient();
            var tokens = await new TokenClient(http).RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, parameters["code"].ToString(), request.CodeVerifier, TestSeed.TaxRedirect);
            Assert.True(tokens.Status == System.Net.HttpStatusCode.OK, tokens.Body);
            var idToken = await Tokens.ValidateIdTokenAsync(http, fixture.Issuer, tokens["id_token"]!, TestSeed.TaxClient);
            Assert.Equal(PhishingResistant, idToken.GetClaim("acr").Value);
            Assert.Equal(request.Nonce, idToken.GetClaim("nonce").Value);
            return true;
        });
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-21")] // the ten recovery codes are the way back when codes are locked or the app is lost
    public async Task TotpEnrolment_WithCodeComputedFromShownSecret_ShowsTenRecoveryCodes()
    {
        // Arrange
        var context = await fixture.Browser.NewContextAsync();
        await Screenshots.OnFailureAsync(context, nameof(TotpEnrolment_WithCodeComputedFromShownSecret_ShowsTenRecoveryCodes), async () =>
        {
            var page = await context.NewPageAsync();
            await SignInWithPasswordAsync(page, MfaBrowserFixture.TotpCitizen, "/account/security");
            await page.ClickAsync("#totp-setup");
            var secret = (await page.InnerTextAsync("#totp-secret")).Trim();

            // Act
            var code = new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow);
            await page.FillAsync("input[name=code]", code);
            await page.ClickAsync("main form button[type=submit]");
            await page.Locator("#recovery-codes").WaitForAsync();
            var codes = await page.Locator("#recovery-codes li").AllInnerTextsAsync();

            // Assert (inside the step, so a failure leaves screenshots)
            Assert.Equal(10, codes.Count);
            Assert.All(codes, code => Assert.False(string.IsNullOrWhiteSpace(code)));
            Assert.Equal(10, codes.Distinct(StringComparer.Ordinal).Count());
            return true;
        });
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task PasskeySignIn_AssertionFromPageOnAnotherOrigin_IsRefusedWith400AndNoSession()
    {
        // Arrange: a passkey registered on http://localhost:PORT, its key exported from the authenticator.
        var enrolment = await fixture.Browser.NewContextAsync();
        var credential = await Screenshots.OnFailureAsync(enrolment, nameof(PasskeySignIn_AssertionFromPageOnAnotherOrigin_IsRefusedWith400AndNoSession) + "-register", async () =>
        {
            var page = await enrolment.NewPageAsync();
            var (cdp, authenticatorId) = await AddAuthenticatorAsync(page);
            await SignInWithPasswordAsync(page, MfaBrowserFixture.OriginCitizen, "/account/security");
            await page.FillAsync("#passkey-name", "Origin check");
            await page.ClickAsync("#passkey-register");
            await page.Locator(".passkey-name", new() { HasText = "Origin check" }).WaitForAsync();
            var answer = await cdp.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId });
            return answer!.Value.GetProperty("credentials")[0].Clone();
        });

        // Act: a page served on http://127.0.0.1:PORT (another origin; Chromium itself will not run a
        // ceremony for rpId localhost there) sends a correctly signed assertion whose client data names it.
        var context = await fixture.Browser.NewContextAsync();
        await Screenshots.OnFailureAsync(context, nameof(PasskeySignIn_AssertionFromPageOnAnotherOrigin_IsRefusedWith400AndNoSession), async () =>
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(fixture.OtherOrigin + "/account/login");
            var options = await page.EvaluateAsync<JsonElement>(
                "async () => (await fetch('/account/passkeys/signin/options', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-OnePass-Passkey': '1' }, body: '{}' })).json()");
            var assertion = ForgedAssertion.SignInBody(credential, "localhost", options.GetProperty("challenge").GetString()!, fixture.OtherOrigin);
            var result = await page.EvaluateAsync<JsonElement>(
                "async body => { const r = await fetch('/account/passkeys/signin', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-OnePass-Passkey': '1' }, body }); return { status: r.status, body: await r.text() }; }",
                assertion);

            // Assert (inside the step, so a failure leaves screenshots): refused for its origin, and no
            // session cookie was issued on either origin.
            Assert.Equal(400, result.GetProperty("status").GetInt32());
            using var error = JsonDocument.Parse(result.GetProperty("body").GetString()!);
            Assert.Equal("invalid_request", error.RootElement.GetProperty("error").GetString());
            Assert.Contains("origin", error.RootElement.GetProperty("error_description").GetString(), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(await context.CookiesAsync(), cookie => cookie.Name == "onepass");
            return true;
        });
    }

    private async Task SignInWithPasswordAsync(IPage page, string username, string returnUrl)
    {
        await page.GotoAsync(fixture.At("/account/login?ReturnUrl=" + Uri.EscapeDataString(returnUrl)).ToString());
        await page.FillAsync("input[name=username]", username);
        await page.FillAsync("input[name=password]", TestSeed.Password);
        await page.ClickAsync("main form button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == returnUrl);
    }

    /// <summary>A CTAP2 platform authenticator with resident keys and user verification, for this page.</summary>
    private static async Task<(ICDPSession Cdp, string AuthenticatorId)> AddAuthenticatorAsync(IPage page)
    {
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
            },
        });
        return (cdp, added!.Value.GetProperty("authenticatorId").GetString()!);
    }
}
