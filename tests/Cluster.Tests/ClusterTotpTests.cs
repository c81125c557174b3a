using System.Diagnostics;
using System.Net;
using OnePass.Cluster.Tests.Kit;
using OnePass.TestKit;
using Xunit.Abstractions;

namespace OnePass.Cluster.Tests;

/// <summary>
/// Authenticator-app codes in a cluster (issue 4; CATALOGUE IN-LG-07, FT-04, FT-08): two real
/// identity-provider processes on one PostgreSQL database and one Redis. A code is accepted once in the
/// whole cluster — the last accepted step is in the database, so neither the other node nor a restart
/// of every node accepts it again — and a sign-in waiting for its code (kept in Redis) can be finished
/// on any node. Each test has its own seeded user; codes are drawn for the next step, so they stay
/// inside the ±1 step window for at least 30 seconds.
/// </summary>
[TestCaseOrderer(StopsNodesLast.TypeName, StopsNodesLast.AssemblyName)]
public sealed class ClusterTotpTests(TotpClusterFixture fixture, ITestOutputHelper output) : IClassFixture<TotpClusterFixture>, IDisposable
{
    private readonly NodeLogs _logs = new(output, fixture.Cluster);

    public void Dispose() => _logs.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-07")]
    [Trait(Catalogue.Row, "FT-08")]
    public async Task Code_AcceptedOnNodeA_IsRefusedOnNodeBInTheSameWindow()
    {
        const string user = "totp-replay";
        await fixture.EnsureRunningAsync();
        var code = fixture.NextCode(user);
        await SignInWithCodeAsync(fixture.A, user, code);

        using var second = new ClusterBrowser(fixture.B);
        var request = ClusterFlows.Request(Agency.Tax);
        var replay = await SubmitCodeAsync(second, await PasswordStepAsync(second, request, user), code, request);

        AssertRefused(replay);
        Assert.Equal(["success", "replay"], await fixture.CodeOutcomesAsync(user));
    }

    [Fact]
    [StopsNodes]
    [Trait(Catalogue.Row, "IN-LG-07")]
    [Trait(Catalogue.Row, "FT-04")]
    public async Task Code_AcceptedBeforeEveryNodeRestarts_IsRefusedAfterwards()
    {
        const string user = "totp-restart";
        await fixture.EnsureRunningAsync();
        var code = fixture.NextCode(user);
        await SignInWithCodeAsync(fixture.A, user, code);
        var before = (fixture.A.ProcessId, fixture.B.ProcessId);

        var restart = Stopwatch.StartNew();
        await fixture.RestartAllAsync();
        restart.Stop();
        using var second = new ClusterBrowser(fixture.B);
        var request = ClusterFlows.Request(Agency.Tax);
        var replay = await SubmitCodeAsync(second, await PasswordStepAsync(second, request, user), code, request);

        Assert.NotEqual(before, (fixture.A.ProcessId, fixture.B.ProcessId));
        AssertRefused(replay);
        // "replay", not "failure": the code was still inside its window, and only the stored step refused it.
        var outcomes = await fixture.CodeOutcomesAsync(user);
        Assert.True(outcomes.SequenceEqual(["success", "replay"]),
            $"outcomes {string.Join(", ", outcomes)}; the restart took {restart.Elapsed.TotalSeconds:0.0} s (a code lives 30 to 60 s after it is drawn)");
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-08")]
    public async Task PendingSignIn_StartedWithPasswordOnNodeA_IsFinishedWithCodeOnNodeB()
    {
        const string user = "totp-pending";
        await fixture.EnsureRunningAsync();
        using var browser = new ClusterBrowser(fixture.A);
        var request = ClusterFlows.Request(Agency.Tax);
        var codePage = await PasswordStepAsync(browser, request, user);

        browser.Node = fixture.B;
        var afterCode = await SubmitCodeAsync(browser, codePage, fixture.NextCode(user), request);
        var response = await browser.ContinueAsync(afterCode, request);

        Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status}\n{response.Page.Html}");
        var tokens = await ClusterFlows.RedeemAsync(fixture.B, Agency.Tax, request, response.Code!);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        var idToken = Tokens.Read(tokens["id_token"]!);
        Assert.Equal("urn:onepass:loa:2", idToken.GetClaim("acr").Value);
    }

    /// <summary>
    /// CATALOGUE FT-02: Redis (which holds the sign-in waiting for its code) dies between the password and
    /// the code step. The right code then gives "please sign in again" or 503 with <c>Retry-After</c>, never
    /// an authorization code with one factor, and the redirects end.
    /// </summary>
    [Fact]
    [Trait(Catalogue.Row, "FT-02")]
    [Trait(Catalogue.Row, "FT-08")]
    public async Task CodeStep_WhenRedisDiesAfterThePassword_IssuesNoCodeAndAsksToRetryOrSignInAgain()
    {
        const string user = "totp-redis-down";
        await fixture.EnsureRunningAsync();
        using var browser = new ClusterBrowser(fixture.A);
        var request = ClusterFlows.Request(Agency.Tax);
        var codePage = await PasswordStepAsync(browser, request, user);

        BrowserPage? page = null;
        Exception? loop;
        await fixture.Redis!.KillAsync();
        try
        {
            browser.Node = fixture.B;
            loop = await Record.ExceptionAsync(async () => page = await SubmitCodeAsync(browser, codePage, fixture.NextCode(user), request));
        }
        finally
        {
            await fixture.Redis.StartAsync(persistent: true);
            await Task.WhenAll(fixture.A.WaitReadyAsync(TimeSpan.FromSeconds(30)), fixture.B.WaitReadyAsync(TimeSpan.FromSeconds(30)));
        }

        FaultOutcomes.AssertNoCodeAndNoLoop(page, loop, request);
    }

    /// <summary>Password then <paramref name="code"/> on <paramref name="node"/>: the agency gets a code.</summary>
    private static async Task SignInWithCodeAsync(IdentityNode node, string user, string code)
    {
        using var browser = new ClusterBrowser(node);
        var request = ClusterFlows.Request(Agency.Tax);
        var afterCode = await SubmitCodeAsync(browser, await PasswordStepAsync(browser, request, user), code, request);
        var response = await browser.ContinueAsync(afterCode, request);
        Assert.True(response.Code is not null, $"the first use was not accepted on {node.Name}: {response.Page.Uri} {response.Page.Status}\n{response.Page.Html}");
    }

    /// <summary>Starts a code flow at the tax agency and gives <paramref name="user"/>'s password; the code page follows.</summary>
    private static async Task<BrowserPage> PasswordStepAsync(ClusterBrowser browser, AuthorizationRequest request, string user)
    {
        var login = await browser.BeginAsync(request);
        Assert.True(login.IsLoginPage, $"{login.Uri} {login.Status}");
        var page = await browser.SubmitPasswordAsync(login, request, user);
        Assert.True(IsCodePage(page), $"no code asked on {browser.Node.Name}: {page.Uri} {page.Status}");
        return page;
    }

    private static Task<BrowserPage> SubmitCodeAsync(ClusterBrowser browser, BrowserPage page, string code, AuthorizationRequest request) =>
        browser.SubmitAsync(page, new Dictionary<string, string> { ["code"] = code },
            stopAt: uri => uri.ToString().StartsWith(request.RedirectUri!, StringComparison.Ordinal));

    /// <summary>The code page again, with its error, and nothing sent to the agency.</summary>
    private static void AssertRefused(BrowserPage page)
    {
        Assert.False(page.StoppedAtRedirect, $"the replayed code was accepted: {page.Uri}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.True(IsCodePage(page), page.Uri.ToString());
        Assert.NotNull(page.Document.QuerySelector("#verify-error"));
    }

    private static bool IsCodePage(BrowserPage page) => page.Document.QuerySelector("input[name=code]") is not null;
}
