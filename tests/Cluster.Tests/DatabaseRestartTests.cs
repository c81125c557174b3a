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
            token = await new TokenClient(http).ClientCredentialsAsync(TestSeed.MachineClient, TestSeed.MachineSecret);
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

        Assert.True(authorize is { } status && (int)status >= 500, $"authorize: {authorize}");
        Assert.Equal(HttpStatusCode.OK, live);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
        Assert.False(Node.HasExited);
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
