using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using OnePass.TestKit;

namespace OnePass.EndToEnd.Tests;

/// <summary>
/// Issue 5's browser scenario in Debian's Chromium: an administrator signs in to the admin console with a
/// password and an authenticator-app code, registers an agency, copies its secret; the sample agency site
/// configured with that client then signs a citizen in. A hostile display name stays text everywhere; the
/// console cannot be framed; axe finds no serious or critical accessibility violation on any console page.
/// The tests of this class share one administrator session and run in order of declaration within xunit's
/// class, each independent of the others' results.
/// </summary>
public sealed partial class AdminConsoleBrowserTests(AdminConsoleFixture fixture) : IClassFixture<AdminConsoleFixture>
{
    private const string HostileName = "<script>alert(1)</script>";

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-01")]
    [Trait(Catalogue.Row, "IN-AD-02")]
    [Trait(Catalogue.Row, "AT-24")]
    public async Task AdminRegistersAgencyInConsole_SampleAgencyWithCopiedSecret_SignsCitizenIn()
    {
        var agencyPort = OnePassHost.FreePort();
        var agencyOrigin = $"http://127.0.0.1:{agencyPort}";
        var clientId = "agency-console-" + Guid.NewGuid().ToString("N")[..8];
        var dialogs = new List<string>();

        // Arrange + act: the administrator registers the agency and copies the secret shown once.
        var page = await fixture.AdminPageAsync();
        page.Dialog += (_, dialog) => dialogs.Add(dialog.Message);
        var (shownId, secret, copied) = await Screenshots.OnFailureAsync(page.Context, nameof(AdminRegistersAgencyInConsole_SampleAgencyWithCopiedSecret_SignsCitizenIn) + "-console", async () =>
        {
            await page.GotoAsync(fixture.ConsoleApp.At("/agencies/create").ToString());
            await page.FillAsync("#Input_ClientId", clientId);
            await page.FillAsync("#Input_DisplayName", HostileName);
            await page.FillAsync("#Input_RedirectUris", $"{agencyOrigin}/signin-oidc");
            await page.FillAsync("#Input_PostLogoutRedirectUris", $"{agencyOrigin}/signout-callback-oidc");
            await page.CheckAsync("input[name='Input.GrantTypes'][value='authorization_code']");
            foreach (var scope in new[] { "openid", "profile", "email" })
            {
                await page.CheckAsync($"input[name='Input.Scopes'][value='{scope}']");
            }

            await page.ClickAsync("main form button[type=submit]");
            await page.Locator("#client-secret").WaitForAsync();
            await Screenshots.SaveForDocsAsync(page, "admin-3-new-secret.png");
            var id = (await page.InnerTextAsync("#client-id")).Trim();
            var shown = (await page.InnerTextAsync("#client-secret")).Trim();
            await page.ClickAsync("#copy-secret");
            var clipboard = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
            return (id, shown, clipboard);
        });

        Assert.Equal(clientId, shownId);
        Assert.True(secret.Length >= 32, "a generated secret of at least 32 characters");
        Assert.Equal(secret, copied);

        // The console's agency list shows the hostile name as text.
        await page.GotoAsync(fixture.ConsoleApp.At("/agencies").ToString());
        await Assertions.Expect(page.GetByText(HostileName).First).ToBeVisibleAsync();
        await Screenshots.SaveForDocsAsync(page, "admin-2-agencies.png");

        // Act: the sample agency site, configured with the copied client id and secret, signs a citizen in.
        using var agency = new AgencySiteHost("127.0.0.1", agencyPort, fixture.IdentityProvider.Issuer, clientId, copied);
        agency.StartServer();
        var citizen = await fixture.Browser.NewContextAsync();
        var citizenPage = await citizen.NewPageAsync();
        citizenPage.Dialog += (_, dialog) => dialogs.Add(dialog.Message);
        var (consentName, claims, signOutName) = await Screenshots.OnFailureAsync(citizen, nameof(AdminRegistersAgencyInConsole_SampleAgencyWithCopiedSecret_SignsCitizenIn) + "-agency", async () =>
        {
            await citizenPage.GotoAsync(agency.At("/me").ToString());
            await citizenPage.FillAsync("input[name=username]", TestSeed.Citizen);
            await citizenPage.FillAsync("input[name=password]", TestSeed.Password);
            await citizenPage.ClickAsync("main form button[type=submit]");
            var consent = (await citizenPage.InnerTextAsync("#agency-name")).Trim();
            await citizenPage.ClickAsync("button[name=decision][value=allow]");
            await citizenPage.WaitForURLAsync(url => url.StartsWith(agency.At("/me").ToString(), StringComparison.Ordinal));
            var table = await citizenPage.InnerTextAsync("table");

            // OnePass's sign-out confirmation names the agency that asked (no id_token_hint: a form is shown).
            await citizenPage.GotoAsync(new Uri(fixture.IdentityProvider.Issuer, $"connect/endsession?client_id={clientId}").ToString());
            var signOut = (await citizenPage.InnerTextAsync("#agency-name")).Trim();
            return (consent, table, signOut);
        });

        // Assert: the agency got the citizen's claims; the name was text on every page; no script ran.
        Assert.Contains("sub", claims, StringComparison.Ordinal);
        Assert.Contains("Kim Citizen", claims, StringComparison.Ordinal);
        Assert.Contains(HostileName, consentName, StringComparison.Ordinal);
        Assert.Contains(HostileName, signOutName, StringComparison.Ordinal);
        Assert.Empty(dialogs);
        await citizen.DisposeAsync();
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-04")]
    public async Task AdminConsole_WithShortLivedAccessTokens_RefreshesAtOnePassAndKeepsWorking()
    {
        var page = await fixture.AdminPageAsync();
        var before = await RefreshTokensIssuedToConsoleAsync();

        foreach (var path in new[] { "/", "/agencies", "/users", "/audit" })
        {
            var response = await page.GotoAsync(fixture.ConsoleApp.At(path).ToString());
            Assert.True(response!.Ok, $"{path}: {response.Status}");
            Assert.StartsWith(fixture.ConsoleApp.Origin.ToString(), page.Url, StringComparison.Ordinal); // never sent to sign in again
        }

        // Each page's API calls needed a fresh access token: OnePass issued (rotated) refresh tokens to the console.
        var after = await RefreshTokensIssuedToConsoleAsync();
        Assert.True(after >= before + 4, $"refresh tokens issued to the console: {before} before, {after} after");
    }

    private Task<int> RefreshTokensIssuedToConsoleAsync() => fixture.IdentityProvider.WithDatabaseAsync(db =>
        db.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreToken<Guid>>()
            .CountAsync(token => token.Type == OpenIddict.Abstractions.OpenIddictConstants.TokenTypeIdentifiers.RefreshToken && token.Application!.ClientId == "onepass-admin"));

    [Fact]
    [Trait(Catalogue.Row, "AT-25")]
    public async Task AdminConsole_FramedByAnotherOrigin_IsNotRendered()
    {
        var page = await fixture.AdminPageAsync();
        var response = await page.GotoAsync(fixture.ConsoleApp.At("/agencies").ToString());
        Assert.Contains("frame-ancestors 'none'", await response!.HeaderValueAsync("content-security-policy"), StringComparison.Ordinal);
        Assert.Equal("DENY", await response.HeaderValueAsync("x-frame-options"));

        // A page of another origin (OnePass's) that frames the console, in the administrator's own browser.
        await page.GotoAsync(new Uri(fixture.IdentityProvider.Issuer, "health/live").ToString());
        await page.SetContentAsync($"<iframe id=\"framed\" src=\"{fixture.ConsoleApp.At("/agencies")}\"></iframe>");
        await page.WaitForLoadStateAsync(LoadState.Load);
        var frame = page.Frames.Single(candidate => candidate != page.MainFrame);

        Assert.Equal(0, await frame.Locator("nav").CountAsync());
        Assert.DoesNotContain("Agencies", await frame.ContentAsync(), StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-24")]
    public async Task AdminConsole_EveryPage_HasNoSeriousOrCriticalAxeViolation()
    {
        var page = await fixture.AdminPageAsync();
        var clientId = await RegisterAgencyForScanAsync(page);
        var userId = await FirstUserIdAsync(page);
        string[] paths =
        [
            "/", "/agencies", "/agencies/create", $"/agencies/details/{clientId}", $"/agencies/edit/{clientId}",
            $"/agencies/logo/{clientId}", $"/agencies/delete/{clientId}", "/scopes", "/scopes/create",
            "/users", $"/users/details/{userId}", $"/users/confirm/{userId}/disable", "/audit", "/audit/changes", "/audit/retention",
        ];

        var violations = new List<string>();
        foreach (var path in paths)
        {
            var response = await page.GotoAsync(fixture.ConsoleApp.At(path).ToString());
            Assert.True(response!.Ok, $"{path}: {response.Status}");
            violations.AddRange(await SeriousViolationsAsync(page, path));
            if (path == "/")
            {
                await Screenshots.SaveForDocsAsync(page, "admin-1-dashboard.png");
            }
            else if (path.StartsWith("/agencies/details/", StringComparison.Ordinal))
            {
                await Screenshots.SaveForDocsAsync(page, "admin-4-agency.png");
            }
        }

        // A form showing its field errors.
        await page.GotoAsync(fixture.ConsoleApp.At("/agencies/create").ToString());
        await page.FillAsync("#Input_RedirectUris", "javascript:alert(1)");
        await page.ClickAsync("main form button[type=submit]");
        await page.Locator(".field-error, [aria-invalid=true]").First.WaitForAsync();
        violations.AddRange(await SeriousViolationsAsync(page, "/agencies/create (with errors)"));

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    private static async Task<IEnumerable<string>> SeriousViolationsAsync(IPage page, string path)
    {
        var result = await page.RunAxe();
        return result.Violations
            .Where(violation => violation.Impact is "serious" or "critical")
            .Select(violation => $"{path}: {violation.Impact} {violation.Id}: {violation.Help} ({string.Join("; ", violation.Nodes.Select(node => node.Html))})");
    }

    private async Task<string> RegisterAgencyForScanAsync(IPage page)
    {
        var clientId = "agency-scan-" + Guid.NewGuid().ToString("N")[..8];
        await page.GotoAsync(fixture.ConsoleApp.At("/agencies/create").ToString());
        await page.FillAsync("#Input_ClientId", clientId);
        await page.FillAsync("#Input_DisplayName", "Agency for the accessibility scan");
        await page.FillAsync("#Input_RedirectUris", "http://127.0.0.1:7999/signin-oidc");
        await page.CheckAsync("input[name='Input.GrantTypes'][value='authorization_code']");
        await page.CheckAsync("input[name='Input.Scopes'][value='openid']");
        await page.ClickAsync("main form button[type=submit]");
        await page.Locator("#client-secret").WaitForAsync();
        Assert.Empty(await SeriousViolationsAsync(page, "new secret"));
        return clientId;
    }

    private async Task<string> FirstUserIdAsync(IPage page)
    {
        await page.GotoAsync(fixture.ConsoleApp.At("/users?search=citizen1").ToString());
        var href = await page.Locator("a[href*='/users/details/']").First.GetAttributeAsync("href");
        return UserId().Match(href!).Value;
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex UserId();
}
