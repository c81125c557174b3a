using OnePass.TestKit;

namespace OnePass.Cluster.Tests.Kit;

/// <summary>
/// Two identity-provider nodes (real PostgreSQL database, own Redis) and two copies of samples/AgencySite
/// as their own processes, registered with back-channel logout at the sample's receiver: agency one at
/// 127.0.0.1 (explicit consent), agency two at localhost (implicit consent), in two pairwise sectors.
/// </summary>
public sealed class AgencySitesClusterFixture : IAsyncLifetime
{
    public const string FirstClient = "agency-site-one";
    public const string FirstSecret = "site-one-secret-0123456789-0123456789-ab";
    public const string SecondClient = "agency-site-two";
    public const string SecondSecret = "site-two-secret-0123456789-0123456789-ab";

    private readonly string _directory = Directory.CreateTempSubdirectory("onepass-agency-cluster-").FullName;
    private TestDatabase? _database;

    public RedisServer? Redis { get; private set; }

    public OnePassCluster Cluster { get; private set; } = null!;

    public IdentityNode A { get; private set; } = null!;

    public IdentityNode B { get; private set; } = null!;

    public AgencySiteProcess First { get; private set; } = null!;

    public AgencySiteProcess Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        try
        {
            // The seed names the agencies' URIs, so their ports come first.
            var firstPort = OnePassHost.FreePort();
            var secondPort = OnePassHost.FreePort();
            while (secondPort == firstPort)
            {
                secondPort = OnePassHost.FreePort();
            }

            var firstOrigin = new Uri($"http://127.0.0.1:{firstPort}/");
            var secondOrigin = new Uri($"http://localhost:{secondPort}/");

            _database = await TestServices.CreatePostgresDatabaseAsync();
            Redis = await RedisServer.CreateAsync(persistent: true);
            Cluster = new OnePassCluster(_database.ConnectionString, Redis.ConnectionString);

            var seed = TestSeed.Create();
            var clients = seed["clients"]!.AsArray();
            clients.Add(AgencySiteProcess.SeedClient(FirstClient, FirstSecret, "Agency One", firstOrigin, "explicit"));
            clients.Add(AgencySiteProcess.SeedClient(SecondClient, SecondSecret, "Agency Two", secondOrigin, "implicit"));
            var seedPath = TestSeed.Write(seed, _directory);

            // A migrates, creates the keys and applies the seed before B starts (no races on any of it).
            var settings = new Dictionary<string, string?>(LogoutClusterFixture.DeliverySettings) { ["OnePass__SeedFile"] = seedPath };
            A = await Cluster.StartNodeAsync("A", atIssuerPort: true, settings);
            settings["OnePass__SeedFile"] = null;
            var b = Cluster.StartNodeAsync("B", settings: settings);
            var first = AgencySiteProcess.StartAsync(firstOrigin, Cluster.Issuer, FirstClient, FirstSecret, _directory);
            var second = AgencySiteProcess.StartAsync(secondOrigin, Cluster.Issuer, SecondClient, SecondSecret, _directory);
            try
            {
                await Task.WhenAll(b, first, second);
            }
            finally
            {
                // Whatever started is disposed with the fixture, also when another start failed.
                B = b.IsCompletedSuccessfully ? b.Result : null!;
                First = first.IsCompletedSuccessfully ? first.Result : null!;
                Second = second.IsCompletedSuccessfully ? second.Result : null!;
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
        foreach (var site in new[] { First, Second })
        {
            if (site is not null)
            {
                await site.DisposeAsync();
            }
        }

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
}
