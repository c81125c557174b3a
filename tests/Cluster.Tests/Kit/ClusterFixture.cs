using OnePass.TestKit;

namespace OnePass.Cluster.Tests.Kit;

/// <summary>
/// Processes shared by the tests of one class: a fresh database (on the shared PostgreSQL, or on an own
/// server for tests that stop it), an own Redis with append-only persistence, and N identity-provider
/// nodes. Everything is killed and deleted on dispose, also when the start failed half-way.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    private TestDatabase? _database;

    /// <summary>How many nodes start ("A" on the issuer's port, then "B", …).</summary>
    protected virtual int NodeCount => 1;

    /// <summary>False: Redis gets a port but is not started, and nodes are only waited for until live (FT-01).</summary>
    protected virtual bool RedisUp => true;

    /// <summary>True: an own PostgreSQL server the tests may stop and kill (FT-06).</summary>
    protected virtual bool OwnPostgres => false;

    public PostgresServer? Postgres { get; private set; }

    public RedisServer Redis { get; private set; } = null!;

    public OnePassCluster Cluster { get; private set; } = null!;

    public IReadOnlyList<IdentityNode> Nodes { get; private set; } = [];

    public IdentityNode A => Nodes[0];

    public IdentityNode B => Nodes[1];

    public async Task InitializeAsync()
    {
        try
        {
            string database;
            if (OwnPostgres)
            {
                Postgres = await PostgresServer.CreateAsync();
                database = await Postgres.CreateDatabaseAsync("onepass");
            }
            else
            {
                _database = await TestServices.CreatePostgresDatabaseAsync();
                database = _database.ConnectionString;
            }

            Redis = RedisUp ? await RedisServer.CreateAsync(persistent: true) : RedisServer.Reserve();
            Cluster = new OnePassCluster(database, Redis.ConnectionString);

            // Node A migrates, creates the shared keys and applies the seed before the others start, so
            // they race on none of it (one process fewer than a separate `migrate` or `seed` run).
            var first = await Cluster.StartNodeAsync("A", atIssuerPort: true, waitReady: RedisUp);
            if (!RedisUp)
            {
                await first.WaitLiveAsync();
            }

            var others = await Task.WhenAll(Enumerable.Range(1, NodeCount - 1).Select(index =>
                Cluster.StartNodeAsync(((char)('A' + index)).ToString(), waitReady: RedisUp)));
            Nodes = [first, .. others];
            if (!RedisUp)
            {
                await Task.WhenAll(others.Select(node => node.WaitLiveAsync()));
            }
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        // Nodes first (they hold database connections), then the services they used.
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

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
    }
}

public sealed class OneNodeFixture : ClusterFixture;

public sealed class TwoNodeFixture : ClusterFixture
{
    protected override int NodeCount => 2;
}

public sealed class RedisDownFixture : ClusterFixture
{
    protected override bool RedisUp => false;
}

public sealed class OwnPostgresFixture : ClusterFixture
{
    protected override bool OwnPostgres => true;
}
