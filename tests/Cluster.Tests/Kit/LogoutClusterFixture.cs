using Npgsql;
using OnePass.IdentityProvider.Data;
using OnePass.TestKit;

namespace OnePass.Cluster.Tests.Kit;

/// <summary>
/// Two identity-provider nodes (real PostgreSQL database, own Redis) whose agencies tax and health have
/// back-channel logout URIs at a <see cref="LogoutReceiver"/>, with delivery timings shortened.
/// Tests may stop or kill nodes: <see cref="EnsureRunningAsync"/> starts again any that is gone, so the
/// cluster is shared without a test depending on another's leftovers. Outbox rows are read straight
/// from the database, by the <c>sid</c> values of the test's own sessions.
/// </summary>
public sealed class LogoutClusterFixture : IAsyncLifetime
{
    /// <summary>Shorter than the defaults (5 s, 5 s, 1 s) so retries happen within a test.</summary>
    public static readonly IReadOnlyDictionary<string, string?> DeliverySettings = new Dictionary<string, string?>
    {
        ["OnePass__BackChannelLogout__Timeout"] = "00:00:01",
        ["OnePass__BackChannelLogout__RetryBaseDelay"] = "00:00:00.5",
        ["OnePass__BackChannelLogout__PollInterval"] = "00:00:00.2",
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("onepass-logout-cluster-").FullName;
    private TestDatabase? _database;
    private string _seedPath = string.Empty;

    public LogoutReceiver Receiver { get; } = new();

    public RedisServer? Redis { get; private set; }

    public OnePassCluster Cluster { get; private set; } = null!;

    public IdentityNode A { get; private set; } = null!;

    public IdentityNode B { get; private set; } = null!;

    /// <summary>The nodes still running (a test that stops or kills nodes may work with what is left).</summary>
    public IReadOnlyList<IdentityNode> Running => [.. new[] { A, B }.Where(node => !node.HasExited)];

    public async Task InitializeAsync()
    {
        try
        {
            await Receiver.StartAsync();
            _database = await TestServices.CreatePostgresDatabaseAsync();
            Redis = await RedisServer.CreateAsync(persistent: true);
            Cluster = new OnePassCluster(_database.ConnectionString, Redis.ConnectionString);

            var seed = TestSeed.Create();
            foreach (var client in seed["clients"]!.AsArray())
            {
                client!["backchannelLogoutUri"] = (string?)client["clientId"] switch
                {
                    TestSeed.TaxClient => Receiver.UriFor("tax"),
                    TestSeed.HealthClient => Receiver.UriFor("health"),
                    _ => null,
                };
            }

            _seedPath = TestSeed.Write(seed, _directory);

            // A migrates, creates the keys and applies the seed before B starts (no races on any of it).
            A = await StartAsync("A", applySeed: true);
            B = await StartAsync("B", applySeed: false);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts again any node a previous test stopped or killed (both at once), and the receiver.</summary>
    public async Task EnsureRunningAsync()
    {
        await Receiver.StartAsync();
        var a = A.HasExited ? StartAsync("A", applySeed: false) : Task.FromResult(A);
        var b = B.HasExited ? StartAsync("B", applySeed: false) : Task.FromResult(B);
        (A, B) = (await a, await b);
    }

    /// <summary>A clean stop (SIGTERM) of every node still running.</summary>
    public Task StopAllAsync() => Task.WhenAll(Running.Select(node => node.StopAsync()));

    /// <summary>The outbox rows of the sessions whose per-agency <c>sid</c> values are given.</summary>
    public async Task<IReadOnlyList<OutboxRow>> OutboxAsync(IReadOnlyCollection<string> sessionIds)
    {
        await using var connection = new NpgsqlConnection(Cluster.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT "ClientId", "SessionId", "TokenId", "Status", "Attempts", "LastError", "DeliveredAt"
            FROM "OnePassLogoutNotifications" WHERE "SessionId" = ANY(@sids) ORDER BY "ClientId"
            """, connection);
        command.Parameters.AddWithValue("sids", sessionIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<OutboxRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new OutboxRow(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), (LogoutNotificationStatus)reader.GetInt32(3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return rows;
    }

    /// <summary>Polls the outbox rows of these sessions until <paramref name="condition"/> holds; fails with the last rows seen.</summary>
    public async Task<IReadOnlyList<OutboxRow>> WaitForOutboxAsync(IReadOnlyCollection<string> sessionIds, Func<IReadOnlyList<OutboxRow>, bool> condition,
        TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var rows = await OutboxAsync(sessionIds);
            if (condition(rows))
            {
                return rows;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The outbox never reached the expected state:\n" + string.Join("\n", rows) + "\n" + Cluster.Logs());
            }

            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        // Nodes first (they hold database connections), then what they used.
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        await Receiver.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The OS temp folder is cleaned anyway.
        }
    }

    // Only the first start applies the seed: a restarted node finds everything in the database, and two
    // nodes starting at once would both rewrite the same clients.
    private Task<IdentityNode> StartAsync(string name, bool applySeed)
    {
        var settings = new Dictionary<string, string?>(DeliverySettings) { ["OnePass__SeedFile"] = applySeed ? _seedPath : null };
        return Cluster.StartNodeAsync(name, atIssuerPort: name == "A", settings);
    }
}

/// <summary>One row of the back-channel logout outbox, as the database holds it.</summary>
public sealed record OutboxRow(
    string ClientId, string SessionId, string TokenId, LogoutNotificationStatus Status, int Attempts, string? LastError, DateTimeOffset? DeliveredAt);
