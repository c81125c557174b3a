using System.Net;
using OnePass.Cluster.Tests.Kit;
using OnePass.TestKit;
using Xunit.Abstractions;

namespace OnePass.Cluster.Tests;

/// <summary>
/// Redis dies or restarts under a running node. CATALOGUE FT-02: down mid-flow, no code without a
/// readable session. FT-03: restarted with its data (append-only file) the sessions survive; restarted
/// empty they are gone, the citizen signs in again, and refresh tokens (in the database) still work.
/// </summary>
public sealed class RedisOutageTests(OneNodeFixture fixture, ITestOutputHelper output) : IClassFixture<OneNodeFixture>, IDisposable
{
    private readonly NodeLogs _logs = new(output, fixture.Cluster);

    public void Dispose() => _logs.Dispose();

    private RedisServer Redis => fixture.Redis;

    private IdentityNode Node => fixture.A;

    [Fact]
    [Trait(Catalogue.Row, "FT-02")]
    public async Task Consent_WhenRedisDiesAfterThePassword_IssuesNoCode()
    {
        await EnsurePersistentRedisAsync();
        using var browser = new ClusterBrowser(Node);
        var request = ClusterFlows.Request(Agency.Tax) with { Extra = new() { ["prompt"] = "consent" } };
        var consentPage = await browser.SubmitPasswordAsync(await browser.BeginAsync(request), request);
        Assert.True(consentPage.IsConsentPage, $"{consentPage.Uri} {consentPage.Status}");

        BrowserPage? page = null;
        Exception? loop;
        await Redis.KillAsync();
        try
        {
            loop = await Record.ExceptionAsync(async () => page = await browser.ConsentAsync(consentPage, request)); // throws on a redirect loop
        }
        finally
        {
            await Redis.StartAsync(persistent: true);
            await Node.WaitReadyAsync(TimeSpan.FromSeconds(30));
        }

        FaultOutcomes.AssertNoCodeAndNoLoop(page, loop, request); // 503 only with Retry-After
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-03")]
    public async Task Session_AfterPersistentRedisRestart_SignsIntoSecondAgencyWithoutPassword()
    {
        await EnsurePersistentRedisAsync();
        using var browser = new ClusterBrowser(Node);
        await ClusterFlows.SignInAsync(browser, Agency.Tax);

        await Redis.RestartAsync(persistent: true);
        await Node.WaitReadyAsync(TimeSpan.FromSeconds(30));
        var response = await browser.AuthorizeAsync(ClusterFlows.Request(Agency.Health), credentials: null);

        Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status}");
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-03")]
    public async Task Session_AfterRedisRestartWithoutPersistence_AsksForThePasswordAgain()
    {
        using var browser = new ClusterBrowser(Node);
        await ClusterFlows.SignInAsync(browser, Agency.Tax);

        await Redis.RestartAsync(persistent: false);
        await Node.WaitReadyAsync(TimeSpan.FromSeconds(30));
        var request = ClusterFlows.Request(Agency.Health);
        var page = await browser.BeginAsync(request);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.True(page.IsLoginPage, $"still signed in: {page.Uri} {page.Status}");
        var response = await browser.ContinueAsync(page, request, (TestSeed.Citizen, TestSeed.Password)); // antiforgery still readable
        Assert.NotNull(response.Code);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-03")]
    public async Task RefreshToken_AfterRedisRestartWithoutPersistence_StillWorks()
    {
        using var browser = new ClusterBrowser(Node);
        var tokens = await ClusterFlows.SignInAsync(browser, Agency.Tax);

        await Redis.RestartAsync(persistent: false);
        await Node.WaitReadyAsync(TimeSpan.FromSeconds(30));
        var refreshed = await ClusterFlows.RefreshAsync(Node, Agency.Tax, tokens["refresh_token"]!);

        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.NotNull(refreshed["access_token"]);
    }

    // The tests that need the append-only file start from it, whatever an earlier test left.
    private async Task EnsurePersistentRedisAsync()
    {
        if (!Redis.Persistent || !Redis.IsRunning)
        {
            if (Redis.IsRunning)
            {
                await Redis.StopAsync();
            }

            await Redis.StartAsync(persistent: true, keepData: false);
            await Node.WaitReadyAsync(TimeSpan.FromSeconds(30));
        }
    }
}
