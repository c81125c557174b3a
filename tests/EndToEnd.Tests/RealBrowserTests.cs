using Microsoft.Playwright;
using OnePass.TestKit;

namespace OnePass.EndToEnd.Tests;

/// <summary>
/// The whole journey in a real browser (Debian's Chromium, driven by Playwright): the agency's
/// Microsoft handler sends the citizen to OnePass, who signs in, consents, and comes back through the
/// form_post page. This proves the pages work under OnePass's strict Content-Security-Policy: the only
/// script allowed is the hash of OpenIddict's one-line auto-submit, and nothing is reported blocked.
/// </summary>
public sealed class RealBrowserTests(AgencySitesFixture sites) : IClassFixture<AgencySitesFixture>, IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        (_playwright, _browser) = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-10")]
    [Trait(Catalogue.Row, "AT-24")]
    public async Task SignIn_InChromium_ThroughLoginConsentAndFormPost_ReachesTheAgencyWithoutCspViolations()
    {
        var context = await _browser!.NewContextAsync();
        var page = await context.NewPageAsync();
        var console = new List<string>();
        page.Console += (_, message) => console.Add(message.Text);

        await page.GotoAsync(sites.First.At("/me").ToString());
        await page.FillAsync("input[name=username]", TestSeed.Citizen);
        await page.FillAsync("input[name=password]", TestSeed.Password);
        await page.ClickAsync("main button[type=submit]");
        await page.ClickAsync("button[name=decision][value=allow]");
        await page.WaitForURLAsync(url => url.StartsWith(sites.First.At("/me").ToString(), StringComparison.Ordinal));

        var body = await page.InnerTextAsync("body");
        Assert.Contains("urn:onepass:loa:1", body, StringComparison.Ordinal);
        Assert.Contains("Kim Citizen", body, StringComparison.Ordinal);
        Assert.DoesNotContain(console, line => line.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }
}
