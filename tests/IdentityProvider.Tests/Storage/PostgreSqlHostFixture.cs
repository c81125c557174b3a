using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Storage;

/// <summary>
/// One identity provider on a fresh database of the throwaway PostgreSQL server that <c>./test.sh</c>
/// starts. Starting the host applies the PostgreSQL migrations and the test seed.
/// </summary>
public sealed class PostgreSqlHostFixture : IAsyncLifetime, IAsyncDisposable
{
    private TestDatabase? _database;
    private OnePassHost? _host;

    public OnePassHost Host => _host ?? throw new InvalidOperationException("The fixture is not initialised.");

    public async Task InitializeAsync()
    {
        _database = await TestServices.CreatePostgresDatabaseAsync();
        _host = new OnePassHost(new OnePassHostOptions { PostgreSqlConnectionString = _database.ConnectionString });
        _host.EnsureStarted();
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        // The host first: it holds pooled connections to the database about to be dropped.
        var host = Interlocked.Exchange(ref _host, null);
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        var database = Interlocked.Exchange(ref _database, null);
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }
}
