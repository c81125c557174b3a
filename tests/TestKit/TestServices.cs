using Npgsql;

namespace OnePass.TestKit;

/// <summary>
/// The real Redis and PostgreSQL that <c>./test.sh</c> starts on loopback ports and announces in
/// <c>ONEPASS_TEST_REDIS</c> (StackExchange.Redis syntax) and <c>ONEPASS_TEST_POSTGRES</c> (an Npgsql
/// connection string for a superuser). A missing variable fails the test; it never skips it, so a run
/// without the services cannot pass by testing less.
/// </summary>
public static class TestServices
{
    public const string RedisVariable = "ONEPASS_TEST_REDIS";
    public const string PostgresVariable = "ONEPASS_TEST_POSTGRES";

    /// <summary>The throwaway Redis server's connection string.</summary>
    public static string RedisConnectionString => Require(RedisVariable);

    /// <summary>The throwaway PostgreSQL server's superuser connection string (maintenance database).</summary>
    public static string PostgresConnectionString => Require(PostgresVariable);

    /// <summary>A new, uniquely named database on the throwaway PostgreSQL server, dropped on dispose.</summary>
    public static async Task<TestDatabase> CreatePostgresDatabaseAsync()
    {
        var server = new NpgsqlConnectionStringBuilder(PostgresConnectionString);
        var name = $"onepass_test_{Guid.NewGuid():N}";

        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        var database = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name };
        return new TestDatabase(name, database.ConnectionString, server.ConnectionString);
    }

    private static string Require(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrWhiteSpace(value))
        {
            return value;
        }

        var inCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        throw new InvalidOperationException(inCi
            ? $"{variable} is not set in CI: .ci/run must run ./test.sh, which starts the test services and sets it."
            : $"{variable} is not set: run ./test.sh, which starts a throwaway Redis and PostgreSQL and sets it " +
              "(or set it yourself to a server you can throw away).");
    }
}

/// <summary>A throwaway PostgreSQL database; disposing it closes pooled connections and drops it.</summary>
public sealed class TestDatabase(string name, string connectionString, string serverConnectionString) : IAsyncDisposable
{
    public string Name { get; } = name;

    /// <summary>Connection string of this database (superuser, so migrations may do anything).</summary>
    public string ConnectionString { get; } = connectionString;

    public async ValueTask DisposeAsync()
    {
        await using (var pooled = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync();

        // WITH (FORCE) ends sessions a host still holds (PostgreSQL 13+).
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
