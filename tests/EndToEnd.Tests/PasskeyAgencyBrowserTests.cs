using Microsoft.Playwright;
using OnePass.TestKit;

namespace OnePass.EndToEnd.Tests;

/// <summary>
/// The whole passkey story in one real browser (Debian's Chromium, a CDP virtual authenticator):
/// password sign-in, passkey registration on /account/security, sign-out at OnePass, then the sample
/// agency site (Microsoft's OpenID Connect handler, <c>Agency__AcrValues=urn:onepass:loa:3</c>) signing the
/// citizen in with the passkey alone. Screens are saved for the documentation (see SaveForDocsAsync); a
/// failing step also leaves a screenshot of each page under bin/.../screenshots.
/// </summary>
public sealed class PasskeyAgencyBrowserTests(PasskeyAgencyFixture fixture) : IClassFixture<PasskeyAgencyFixture>
{
    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    [Trait(Catalogue.Row, "IN-TK-10")]
    public async Task AgencySignIn_AskingLoa3AfterPasskeyRegistrationAndSignOut_ShowsAcrLoa3WithoutPassword()
    {
        var context = await fixture.Browser.NewContextAsync();
        var (claims, loginPage) = await Screenshots.OnFailureAsync(context, nameof(AgencySignIn_AskingLoa3AfterPasskeyRegistrationAndSignOut_ShowsAcrLoa3WithoutPassword), async () =>
        {
            // Arrange: password sign-in, a named passkey registered, then signed out through OnePass's confirmation.
            var page = await context.NewPageAsync();
            await AddAuthenticatorAsync(page);
            await page.GotoAsync(fixture.At("/account/login?ReturnUrl=" + Uri.EscapeDataString("/account/security")).ToString());
            await page.FillAsync("input[name=username]", PasskeyAgencyFixture.Citizen);
            await page.FillAsync("input[name=password]", TestSeed.Password);
            await page.ClickAsync("main form button[type=submit]");
            // The first sign-in of the run also compiles the pages: on a busy 2-core machine it has taken over 30 s.
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/security", new() { Timeout = 90_000 });
            await page.FillAsync("#passkey-name", "Kitchen laptop");
            await page.ClickAsync("#passkey-register");
            await page.Locator(".passkey-name", new() { HasText = "Kitchen laptop" }).WaitForAsync();
            await Screenshots.SaveForDocsAsync(page, "passkey-1-security.png");

            await page.GotoAsync(fixture.At("/connect/endsession").ToString());
            await page.ClickAsync("button[name=logout][value=yes]");
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/signed-out");

            // Act: the agency's protected page sends the browser to OnePass, where the passkey alone answers.
            await page.GotoAsync(fixture.Agency.At("/me").ToString());
            await page.Locator("#passkey-signin").WaitForAsync();
            var loginPage = new Uri(page.Url);
            await Screenshots.SaveForDocsAsync(page, "passkey-2-login.png");
            await page.ClickAsync("#passkey-signin");

            var atAgency = page.WaitForURLAsync(url => url.StartsWith(fixture.Agency.At("/me").ToString(), StringComparison.Ordinal));
            var consent = page.Locator("button[name=decision][value=allow]");
            if (await Task.WhenAny(atAgency, consent.WaitForAsync()) != atAgency)
            {
                await consent.ClickAsync();
            }

            await atAgency;
            await page.Locator("table").WaitForAsync();
            await Screenshots.SaveForDocsAsync(page, "passkey-3-agency.png");
            var rows = await page.Locator("tbody tr").EvaluateAllAsync<string[][]>(
                "rows => rows.map(row => Array.from(row.cells, cell => cell.textContent))");
            return (rows.ToLookup(row => row[0], row => row[1], StringComparer.Ordinal), loginPage);
        });

        // Assert: the agency asked OnePass's login page for loa:3 and got it for the passkey citizen, no password in amr.
        Assert.Equal(PasskeyAgencyFixture.RequiredAcr, Assert.Single(fixture.Agency.SentAcrValues));
        Assert.Equal((fixture.Issuer.Authority, "/account/login"), (loginPage.Authority, loginPage.AbsolutePath));
        Assert.Equal(PasskeyAgencyFixture.RequiredAcr, Assert.Single(claims["acr"]));
        Assert.Equal("Pia Passkey", Assert.Single(claims["name"]));
        Assert.DoesNotContain("pwd", claims["amr"]);
    }

    /// <summary>A CTAP2 platform authenticator with resident keys and user verification, for this page.</summary>
    private static async Task AddAuthenticatorAsync(IPage page)
    {
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
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
    }
}
