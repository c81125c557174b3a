using System.Net;
using Npgsql;
using OnePass.Cluster.Tests.Kit;
using OnePass.TestKit;
using Xunit.Abstractions;

namespace OnePass.Cluster.Tests;

/// <summary>
/// CATALOGUE FT-10, cluster version: a node that lacks the cluster's shared keys must never serve, so
/// it cannot issue tokens that the other nodes (and the agencies, through their JWKS) reject. Two
/// misconfigurations: a database whose Data Protection key ring is gone (the signing keys in it cannot
/// be unprotected), and a node pointed at another, empty database next to a running cluster.
/// </summary>
public sealed class MissingKeysTests(OneNodeFixture fixture, ITestOutputHelper output) : IClassFixture<OneNodeFixture>, IDisposable
{
    private static readonly TimeSpan Watch = TimeSpan.FromSeconds(5);

    private readonly NodeLogs _logs = new(output, fixture.Cluster);

    public void Dispose() => _logs.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "FT-10")]
    public async Task Node_WhoseDatabaseLostTheDataProtectionKeyRing_NeverServesAndCreatesNoKeys()
    {
        await fixture.A.WaitReadyAsync(); // node A has created the shared keys
        await using var restored = await TestServices.CreatePostgresDatabaseAsync();
        await DatabaseCopy.CopyAsync(fixture.Cluster.DatabaseConnectionString, restored.ConnectionString);
        await ExecuteAsync(restored, "DELETE FROM \"DataProtectionKeys\""); // a restore that lost the key ring
        var keysBefore = await CountAsync(restored, "OnePassKeys");

        var node = await fixture.Cluster.StartNodeAsync("X", settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings__Database"] = restored.ConnectionString,
        }, waitReady: false);
        var (served, issued) = await WatchAsync(node);
        await node.DisposeAsync();

        Assert.False(served, "the node became ready");
        Assert.False(issued, "the node issued a token");
        Assert.Equal(keysBefore, await CountAsync(restored, "OnePassKeys"));
    }

    /// <summary>
    /// A node on an empty database would create keys of its own, and its tokens would fail at every agency
    /// that fetched the cluster's JWKS. The nodes share Redis, where the first one recorded its database's
    /// fingerprint: the stray node sees another and never becomes ready.
    /// </summary>
    [Fact]
    [Trait(Catalogue.Row, "FT-10")]
    public async Task Node_OnAnotherEmptyDatabaseBesideARunningCluster_DoesNotBecomeReady()
    {
        await fixture.A.WaitReadyAsync();
        await using var stray = await TestServices.CreatePostgresDatabaseAsync();

        var node = await fixture.Cluster.StartNodeAsync("stray", settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings__Database"] = stray.ConnectionString,
        }, waitReady: false);
        var (served, _) = await WatchAsync(node);
        await node.DisposeAsync();

        Assert.False(served, "a node with keys of its own became ready beside the cluster");
    }

    /// <summary>Watches a starting node until it exits or for <see cref="Watch"/> after it is live: did it ever become ready or issue a token?</summary>
    private static async Task<(bool Served, bool Issued)> WatchAsync(IdentityNode node)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        DateTime? liveSince = null;
        var served = false;
        var issued = false;
        while (!node.HasExited && DateTime.UtcNow < deadline && (liveSince is null || DateTime.UtcNow - liveSince < Watch))
        {
            if (await node.ProbeAsync("/health/live") == HttpStatusCode.OK)
            {
                liveSince ??= DateTime.UtcNow;
                served |= await node.ProbeAsync("/health/ready") == HttpStatusCode.OK;
                using var http = node.CreateProtocolClient(TimeSpan.FromSeconds(10));
                var token = await new TokenClient(http).ClientCredentialsAsync(TestSeed.MachineClient, TestSeed.MachineSecret);
                issued |= token.Status == HttpStatusCode.OK;
            }

            await Task.Delay(200);
        }

        return (served, issued);
    }

    private static async Task<long> CountAsync(TestDatabase database, string table)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT COUNT(*) FROM \"{table}\"", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(TestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
