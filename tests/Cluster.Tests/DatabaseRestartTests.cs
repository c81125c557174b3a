using System.Diagnostics;
using System.Net;
using OnePass.Cluster.Tests.Kit;
using OnePass.TestKit;
using Xunit.Abstractions;

namespace OnePass.Cluster.Tests;

/// <summary>
/// CATALOGUE FT-06: the node's own PostgreSQL server is killed or restarted under it. Requests during the
/// outage fail as server errors (never a crash, never a 4xx blaming the client); once the database is
/// back the same process serves a whole code flow.
/// </summary>
public sealed class DatabaseRestartTests(OwnPostgresFixture fixture, ITestOutputHelper output) : IClassFixture<OwnPostgresFixture>, IDisposable
{
    private readonly NodeLogs _logs = new(output, fixture.Cluster);

    public void Dispose() => _logs.Dispose();

    private PostgresServer Postgres => fixture.Postgres!;

    private IdentityNode Node => fixture.A;

    [Fact]
    [Trait(Catalogue.Row, "FT-06")]
    public async Task Requests_WhileDatabaseIsDown_FailAsServerErrorsAndTheNodeStaysUp()
    {
        await Node.WaitReadyAsync();
        ProtocolResponse token;
        HttpStatusCode? authorize, live, ready;

        await Postgres.KillAsync();
        try
        {
            using var http = Node.CreateProtocolClient();
            // A code is looked up in the database whatever is cached (a machine token or the first authorization leg
            // may now be answered from memory: the agency is cached and the cached request is sealed in its URL).
            token = await new TokenClient(http).RedeemCodeAsync(
                TestSeed.TaxClient, TestSeed.TaxSecret, new string('A', 43), new string('a', 43), TestSeed.TaxRedirect);
            authorize = await Node.ProbeAsync(ClusterFlows.Request(Agency.Tax).ToUrl(), TimeSpan.FromSeconds(30));
            live = await Node.ProbeAsync("/health/live");
            ready = await Node.ProbeAsync("/health/ready", TimeSpan.FromSeconds(30));
        }
        finally
        {
            await Postgres.StartAsync();
        }

        Assert.True((int)token.Status >= 500, $"{token.Status} {token.Body}");
        if (token.Response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            Assert.Contains(token.Error, new[] { "server_error", "temporarily_unavailable" });
        }

        // Either the sealed request's redirect (no database needed) or a server error; never a client error.
        Assert.True(authorize is { } status && ((int)status >= 500 || status == HttpStatusCode.Found), $"authorize: {authorize}");
        Assert.Equal(HttpStatusCode.OK, live);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
        Assert.False(Node.HasExited);
    }

    /// <summary>
    /// Six code redemptions are caught in flight (the server is paused, so each waits on the database),
    /// then the server is resumed, stopped at once (pg_ctl stop -m fast) and started again.
    /// Every request ends within the bound as a success or a protocol error; the same process then serves
    /// again; and no code is half redeemed: a code whose first redemption succeeded is refused afterwards,
    /// and a code whose first redemption failed still gives its tokens once (never "used, no tokens").
    /// </summary>
    [Fact]
    [Trait(Catalogue.Row, "FT-06")]
    [Trait(Catalogue.Row, "AT-06")]
    public async Task CodeRedemptions_InFlightWhileDatabaseRestarts_EndBoundedAndNoCodeIsHalfRedeemed()
    {
        const int count = 6;
        var bound = TimeSpan.FromSeconds(60);
        await Node.WaitReadyAsync();
        var processId = Node.ProcessId;
        using var browser = new ClusterBrowser(Node);
        var codes = new List<(AuthorizationRequest Request, string Code)>();
        for (var i = 0; i < count; i++)
        {
            var request = ClusterFlows.Request(Agency.Tax);
            var response = await browser.AuthorizeAsync(request, i == 0 ? (TestSeed.Citizen, TestSeed.Password) : null);
            Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status}");
            codes.Add((request, response.Code!));
        }

        var stopwatch = Stopwatch.StartNew();
        Task<ProtocolResponse>[] inFlight;
        Postgres.Pause();
        try
        {
            inFlight = [.. codes.Select(code => Task.Run(() => ClusterFlows.RedeemAsync(Node, Agency.Tax, code.Request, code.Code)))];
            await Task.Delay(TimeSpan.FromSeconds(1)); // sent, and waiting on the paused database
            Postgres.Resume();
            await Postgres.StopAsync();
        }
        finally
        {
            Postgres.ResumeIfRunning();
            await Postgres.StartAsync();
        }

        var first = await Task.WhenAll(inFlight).WaitAsync(bound);
        stopwatch.Stop();
        await Node.WaitReadyAsync(TimeSpan.FromSeconds(30));
        var retries = new List<ProtocolResponse>();
        var thirds = new List<ProtocolResponse>();
        foreach (var code in codes)
        {
            retries.Add(await ClusterFlows.RedeemAsync(Node, Agency.Tax, code.Request, code.Code));
            thirds.Add(await ClusterFlows.RedeemAsync(Node, Agency.Tax, code.Request, code.Code));
        }

        var summary = string.Join("\n", first.Select((response, i) => $"code {i}: {(int)response.Status} {response.Error} -> {(int)retries[i].Status} {retries[i].Error}"));
        output.WriteLine($"in-flight requests ended after {stopwatch.Elapsed.TotalSeconds:0.0} s\n{summary}");
        Assert.True(stopwatch.Elapsed < bound, summary);
        Assert.Equal(processId, Node.ProcessId);
        for (var i = 0; i < count; i++)
        {
            if (first[i].Status == HttpStatusCode.OK)
            {
                Assert.NotNull(first[i]["access_token"]);
                Assert.True(retries[i].Status == HttpStatusCode.BadRequest && retries[i].Error == "invalid_grant", $"tokens issued and the code still usable:\n{summary}");
            }
            else
            {
                Assert.True((int)first[i].Status >= 400 && first[i].Error is not null, $"not a protocol error:\n{summary}\n{first[i].Body}");
                Assert.True(retries[i].Status == HttpStatusCode.OK, $"code marked used with no tokens:\n{summary}\n{retries[i].Body}");
                Assert.True(thirds[i].Status == HttpStatusCode.BadRequest && thirds[i].Error == "invalid_grant", $"the code gave two token sets:\n{summary}");
            }
        }
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-06")]
    public async Task CodeFlow_AfterDatabaseRestart_SucceedsWithoutNodeRestart()
    {
        await Node.WaitReadyAsync();
        var processId = Node.ProcessId;

        await Postgres.StopAsync();
        await Postgres.StartAsync();
        using var browser = new ClusterBrowser(Node);
        var tokens = await ClusterFlows.SignInAsync(browser, Agency.Tax);

        Assert.NotNull(tokens["id_token"]);
        Assert.Equal(processId, Node.ProcessId);
    }
}
