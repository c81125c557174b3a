using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using OnePass.Cluster.Tests.Kit;
using OnePass.TestKit;
using Xunit.Abstractions;

namespace OnePass.Cluster.Tests;

/// <summary>
/// Each node keeps the agencies it uses in memory (issue 7). A change made through one node's admin API must reach
/// the other node at once: through the Redis channel while Redis is up, and, while it is down, because a node that
/// lost its Redis connection stops trusting its cache and reads the database.
/// </summary>
public sealed class AgencyCacheClusterTests(AgencyCacheClusterFixture fixture, ITestOutputHelper output)
    : IClassFixture<AgencyCacheClusterFixture>, IDisposable
{
    private readonly NodeLogs _logs = new(output, fixture.Cluster);

    public void Dispose() => _logs.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "LD-01")]
    public async Task ClientCredentials_OnNodeA_AfterNodeBDisablesTheCachedAgency_IsRefusedWithinTwoSeconds()
    {
        var adminToken = await fixture.AdminTokenOnBAsync();
        const string clientId = AgencyCacheClusterFixture.PubSubMachine;
        Assert.Equal(HttpStatusCode.OK, (await ClientCredentialsAsync(fixture.A, clientId)).Status);

        var disabled = await DisableAsync(fixture.B, clientId, adminToken);
        Assert.True(disabled.Status == HttpStatusCode.OK, disabled.Body);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        ProtocolResponse response;
        while ((response = await ClientCredentialsAsync(fixture.A, clientId)).Status == HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal("invalid_client", response.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-01")]
    public async Task ClientCredentials_OnNodeA_WhileRedisIsDown_SeesTheDisableMadeOnNodeB()
    {
        var adminToken = await fixture.AdminTokenOnBAsync();
        const string clientId = AgencyCacheClusterFixture.OutageMachine;
        Assert.Equal(HttpStatusCode.OK, (await ClientCredentialsAsync(fixture.A, clientId)).Status);
        var version = await VersionAsync(fixture.B, clientId, adminToken);

        ProtocolResponse disabled;
        ProtocolResponse response;
        await fixture.Redis.KillAsync();
        try
        {
            await WaitNotReadyAsync(fixture.A); // node A noticed: its cache is no longer trusted
            disabled = await DisableAsync(fixture.B, clientId, adminToken, version);
            response = await ClientCredentialsAsync(fixture.A, clientId);
        }
        finally
        {
            await fixture.Redis.StartAsync(persistent: true);
            await Task.WhenAll(fixture.A.WaitReadyAsync(TimeSpan.FromSeconds(30)), fixture.B.WaitReadyAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.True(disabled.Status == HttpStatusCode.OK, disabled.Body);
        Assert.True(response.Error == "invalid_client", $"{response.Status} {response.Body}");
    }

    private static async Task<ProtocolResponse> ClientCredentialsAsync(IdentityNode node, string clientId)
    {
        using var http = node.CreateProtocolClient();
        return await new TokenClient(http).ClientCredentialsAsync(clientId, AgencyCacheClusterFixture.MachineSecret);
    }

    private static async Task<ProtocolResponse> DisableAsync(IdentityNode node, string clientId, string adminToken, string? version = null)
    {
        version ??= await VersionAsync(node, clientId, adminToken);
        return await SendAsync(node, HttpMethod.Post, $"/api/admin/agencies/{clientId}/disable", adminToken, new JsonObject { ["version"] = version });
    }

    private static async Task<string> VersionAsync(IdentityNode node, string clientId, string adminToken)
    {
        var agency = await SendAsync(node, HttpMethod.Get, $"/api/admin/agencies/{clientId}", adminToken);
        Assert.True(agency.Status == HttpStatusCode.OK, agency.Body);
        return agency["version"]!;
    }

    private static async Task<ProtocolResponse> SendAsync(IdentityNode node, HttpMethod method, string path, string accessToken, JsonNode? body = null)
    {
        using var http = node.CreateProtocolClient();
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        }

        return await ProtocolResponse.ReadAsync(await http.SendAsync(request));
    }

    private static async Task WaitNotReadyAsync(IdentityNode node)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (await node.ProbeAsync("/health/ready") == HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, $"node {node.Name} still ready with Redis down\n{node.Log}");
            await Task.Delay(50);
        }
    }
}

/// <summary>
/// Two nodes, plus (seeded once, through the <c>seed</c> command) an administration tool and two machine agencies
/// of this class's own, so disabling them disturbs no other test.
/// </summary>
public sealed class AgencyCacheClusterFixture : ClusterFixture
{
    public const string PubSubMachine = "cache-batch-pubsub";
    public const string OutageMachine = "cache-batch-outage";
    public const string MachineSecret = "cache-batch-secret-0123456789-0123456789";

    private const string ToolClient = "admin-tool";
    private const string ToolSecret = "admin-tool-secret-0123456789-0123456789";
    private const string ToolRedirect = "http://127.0.0.1:7010/signin-oidc";

    private readonly Lazy<Task<string>> _adminToken;

    public AgencyCacheClusterFixture()
    {
        _adminToken = new(SeedAndSignInAsync);
    }

    protected override int NodeCount => 2;

    /// <summary>An access token of the seeded administrator for the admin API, got through node B.</summary>
    public Task<string> AdminTokenOnBAsync() => _adminToken.Value;

    private async Task<string> SeedAndSignInAsync()
    {
        var seed = TestSeed.Create();
        var clients = seed["clients"]!.AsArray();
        clients.Add(TestSeed.Client(ToolClient, ToolSecret, "Admin Tool", [ToolRedirect], [], "implicit",
            ["authorization_code", "refresh_token"], ["openid", "onepass.admin"]));
        clients.Add(TestSeed.Client(PubSubMachine, MachineSecret, "Cache Batch 1", [], [], "implicit", ["client_credentials"], ["openid"]));
        clients.Add(TestSeed.Client(OutageMachine, MachineSecret, "Cache Batch 2", [], [], "implicit", ["client_credentials"], ["openid"]));
        var directory = Directory.CreateTempSubdirectory("onepass-agencycache-seed-").FullName;
        try
        {
            await Cluster.RunCommandAsync("seed", TestSeed.Write(seed, directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        using var browser = new ClusterBrowser(B);
        var tokens = await ClusterFlows.SignInAsync(browser, new Agency(ToolClient, ToolSecret, ToolRedirect, "openid onepass.admin"), TestSeed.Admin);
        return tokens["access_token"]!;
    }
}
