using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Sessions;

/// <summary>
/// Single logout is queued whichever way a session ends (issue 3 item 3): at its absolute lifetime, ended
/// by the sweeper or by the next request that touches it, and from the citizen's "where you're signed in"
/// page ("sign out" of one session, "sign out everywhere else"). Each test has its own host and agency receiver.
/// </summary>
public sealed class SingleLogoutTriggerTests
{
    private const string PagePath = "/account/sessions";

    /// <summary>Absolute lifetime short, idle timeout long: only the absolute lifetime can end the session.</summary>
    private static Dictionary<string, string?> AbsoluteLifetimeSettings(string sweepInterval) => new()
    {
        ["OnePass:Sessions:AbsoluteLifetime"] = "00:00:02",
        ["OnePass:Sessions:IdleTimeout"] = "01:00:00",
        ["OnePass:Sessions:TouchInterval"] = "00:00:00.2",
        ["OnePass:Sessions:SweepInterval"] = sweepInterval,
    };

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task AbsoluteLifetime_ReachedWithoutAnyBrowser_SweeperEndsTheSessionAndQueuesItsLogout()
    {
        await using var sso = await SingleLogoutHost.StartAsync(settings: AbsoluteLifetimeSettings("00:00:00.2"));
        using var browser = sso.Host.CreateBrowser();
        var idToken = Tokens.Read((await sso.SignInThroughAsync(browser, Agency.Tax))["id_token"]!);
        var sid = idToken.GetClaim("sid").Value;

        var row = await WaitForRowAsync(sso.Host, sid);

        Assert.Equal("Expired", row.Reason);
        var token = Tokens.Read((await sso.Receiver.WaitForAsync("tax", timeout: TimeSpan.FromSeconds(10))).Single());
        Assert.Equal(sid, token.GetClaim("sid").Value);
        Assert.False(await HasSessionAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task AbsoluteLifetime_ReachedWhileInUse_NextRequestEndsTheSessionAndQueuesItsLogout()
    {
        // The sweeper does not run within the test: only the browser's own request can notice the end.
        await using var sso = await SingleLogoutHost.StartAsync(settings: AbsoluteLifetimeSettings("01:00:00"));
        using var browser = sso.Host.CreateBrowser();
        var sid = Tokens.Read((await sso.SignInThroughAsync(browser, Agency.Tax))["id_token"]!).GetClaim("sid").Value;
        var clock = Stopwatch.StartNew();
        var live = 0;
        while (await HasSessionAsync(browser))
        {
            live++;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "The session outlived its absolute lifetime.");
            await Task.Delay(250);
        }

        var row = await WaitForRowAsync(sso.Host, sid);

        Assert.True(live > 0, "The session was never seen alive.");
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"The session ended after {clock.Elapsed}.");
        Assert.Equal("Expired", row.Reason);
        Assert.Equal(TestSeed.TaxClient, row.ClientId);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task AccountSessions_SignOutOfTheOtherSession_QueuesItsLogoutOnly()
    {
        await using var sso = await SingleLogoutHost.StartAsync();
        using var laptop = sso.Host.CreateBrowser();
        using var phone = sso.Host.CreateBrowser();
        var laptopSid = Tokens.Read((await sso.SignInThroughAsync(laptop, Agency.Tax))["id_token"]!).GetClaim("sid").Value;
        var phoneSid = Tokens.Read((await sso.SignInThroughAsync(phone, Agency.Tax))["id_token"]!).GetClaim("sid").Value;
        var page = await laptop.NavigateAsync(PagePath);
        var otherId = page.Document.QuerySelector("button[name=session]")!.GetAttribute("value")!;

        var response = await PostAsync(laptop, page, "session", otherId);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var row = await WaitForRowAsync(sso.Host, phoneSid);
        Assert.Equal("EndedByUser", row.Reason);
        var token = Tokens.Read((await sso.Receiver.WaitForAsync("tax")).Single());
        Assert.Equal(phoneSid, token.GetClaim("sid").Value);
        Assert.Empty(await RowsAsync(sso.Host, laptopSid));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task AccountSessions_SignOutEverywhereElse_QueuesTheLogoutOfEveryOtherSession()
    {
        await using var sso = await SingleLogoutHost.StartAsync();
        using var laptop = sso.Host.CreateBrowser();
        using var phone = sso.Host.CreateBrowser();
        using var tablet = sso.Host.CreateBrowser();
        var laptopSid = Tokens.Read((await sso.SignInThroughAsync(laptop, Agency.Tax))["id_token"]!).GetClaim("sid").Value;
        var phoneSid = Tokens.Read((await sso.SignInThroughAsync(phone, Agency.Tax))["id_token"]!).GetClaim("sid").Value;
        var tabletSid = Tokens.Read((await sso.SignInThroughAsync(tablet, Agency.Health))["id_token"]!).GetClaim("sid").Value;
        var page = await laptop.NavigateAsync(PagePath);

        var response = await PostAsync(laptop, page, "others", "yes");

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(TestSeed.TaxClient, (await WaitForRowAsync(sso.Host, phoneSid)).ClientId);
        Assert.Equal(TestSeed.HealthClient, (await WaitForRowAsync(sso.Host, tabletSid)).ClientId);
        Assert.Equal(phoneSid, Tokens.Read((await sso.Receiver.WaitForAsync("tax")).Single()).GetClaim("sid").Value);
        Assert.Equal(tabletSid, Tokens.Read((await sso.Receiver.WaitForAsync("health")).Single()).GetClaim("sid").Value);
        Assert.Empty(await RowsAsync(sso.Host, laptopSid));
    }

    // --- helpers ---------------------------------------------------------------------------------

    private static async Task<bool> HasSessionAsync(BrowserClient browser)
    {
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Extra = new() { ["prompt"] = "none" } };
        return (await browser.AuthorizeAsync(request)).Code is not null;
    }

    /// <summary>Submits the page's form that holds the named button, as a browser would (with its antiforgery token).</summary>
    private static Task<HttpResponseMessage> PostAsync(BrowserClient browser, BrowserPage page, string button, string value)
    {
        var form = page.Form(form => form.QuerySelector($"button[name={button}]") is not null);
        List<KeyValuePair<string, string>> fields = [.. form.Fields, new(button, value)];
        return browser.PostFormAsync(string.IsNullOrEmpty(form.Action) ? page.Uri.ToString() : new Uri(page.Uri, form.Action).ToString(), fields);
    }

    private static Task<List<LogoutNotification>> RowsAsync(OnePassHost host, string sid) =>
        host.WithDatabaseAsync(db => db.LogoutNotifications.AsNoTracking().Where(n => n.SessionId == sid).ToListAsync());

    /// <summary>The outbox row queued for the session an agency knows as <paramref name="sid"/> (waits for it).</summary>
    private static async Task<LogoutNotification> WaitForRowAsync(OnePassHost host, string sid)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if ((await RowsAsync(host, sid)) is [var row])
            {
                return row;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"No logout was queued for session {sid}.");
            await Task.Delay(100);
        }
    }
}
