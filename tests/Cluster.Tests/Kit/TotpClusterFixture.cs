using Npgsql;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.TestKit;
using OtpNet;

namespace OnePass.Cluster.Tests.Kit;

/// <summary>
/// Two identity-provider nodes (real PostgreSQL database, own Redis) whose seed adds users with an
/// authenticator app (<c>totpSecret</c>, Base32), one per test, so the "last accepted step" of one test
/// never meets another's. Tests may restart the nodes: <see cref="EnsureRunningAsync"/> starts again any
/// that is gone.
/// </summary>
public sealed class TotpClusterFixture : IAsyncLifetime
{
    public static readonly string[] Users = ["totp-replay", "totp-restart", "totp-pending", "totp-redis-down"];

    private readonly string _directory = Directory.CreateTempSubdirectory("onepass-totp-cluster-").FullName;
    private TestDatabase? _database;
    private string _seedPath = string.Empty;

    public RedisServer? Redis { get; private set; }

    public OnePassCluster Cluster { get; private set; } = null!;

    public IdentityNode A { get; private set; } = null!;

    public IdentityNode B { get; private set; } = null!;

    /// <summary>Each seeded user's authenticator secret (Base32).</summary>
    public Dictionary<string, string> Secrets { get; } = [];

    public async Task InitializeAsync()
    {
        try
        {
            _database = await TestServices.CreatePostgresDatabaseAsync();
            Redis = await RedisServer.CreateAsync(persistent: true);
            Cluster = new OnePassCluster(_database.ConnectionString, Redis.ConnectionString);

            var seed = TestSeed.Create();
            foreach (var name in Users)
            {
                var user = TestSeed.User(name, $"{name}@example.test", name);
                user["totpSecret"] = Secrets[name] = Base32Encoding.ToString(TotpAuthenticator.NewSecret());
                seed["users"]!.AsArray().Add(user);
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

    /// <summary>
    /// The code of <paramref name="user"/>'s authenticator for the step after the current one: inside the
    /// ±1 step window for the next 30 to 60 seconds, whatever the moment it is drawn.
    /// </summary>
    public string NextCode(string user) =>
        new Totp(Base32Encoding.ToBytes(Secrets[user])).ComputeTotp(DateTime.UtcNow.AddSeconds(30));

    /// <summary>Starts again any node a previous test stopped (both at once).</summary>
    public async Task EnsureRunningAsync()
    {
        var a = A.HasExited ? StartAsync("A", applySeed: true) : Task.FromResult(A);
        var b = B.HasExited ? StartAsync("B", applySeed: false) : Task.FromResult(B);
        (A, B) = (await a, await b);
    }

    /// <summary>
    /// A clean stop (SIGTERM) of both nodes, then both started again at once; A applies the seed again, as a
    /// deployment that keeps <c>OnePass__SeedFile</c> set does on every start.
    /// </summary>
    public async Task RestartAllAsync()
    {
        await Task.WhenAll(A.StopAsync(), B.StopAsync());
        await EnsureRunningAsync();
    }

    /// <summary>The outcomes of <paramref name="user"/>'s authenticator-code events, oldest first, as the database holds them.</summary>
    public async Task<IReadOnlyList<string>> CodeOutcomesAsync(string user)
    {
        await using var connection = new NpgsqlConnection(Cluster.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT e."Outcome" FROM "OnePassAuthEvents" e JOIN "AspNetUsers" u ON u."Id" = e."UserId"
            WHERE u."UserName" = @name AND e."Method" = 'otp' ORDER BY e."Time"
            """, connection);
        command.Parameters.AddWithValue("name", user);
        await using var reader = await command.ExecuteReaderAsync();
        var outcomes = new List<string>();
        while (await reader.ReadAsync())
        {
            outcomes.Add(reader.GetString(0));
        }

        return outcomes;
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

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The OS temp folder is cleaned anyway.
        }
    }

    private Task<IdentityNode> StartAsync(string name, bool applySeed) =>
        Cluster.StartNodeAsync(name, atIssuerPort: name == "A",
            new Dictionary<string, string?> { ["OnePass__SeedFile"] = applySeed ? _seedPath : null });
}
