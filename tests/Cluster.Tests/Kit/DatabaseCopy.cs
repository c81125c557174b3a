using System.Globalization;
using Npgsql;

namespace OnePass.Cluster.Tests.Kit;

/// <summary>Copies a PostgreSQL database into another (empty) one with pg_dump and psql: a restored backup.</summary>
public static class DatabaseCopy
{
    public static async Task CopyAsync(string sourceConnectionString, string targetConnectionString)
    {
        var directory = Directory.CreateTempSubdirectory("onepass-dump-").FullName;
        try
        {
            var dump = Path.Combine(directory, "dump.sql");
            var log = Path.Combine(directory, "dump.log");
            await ManagedProcess.RunAsync("pg_dump", [.. Arguments(sourceConnectionString), "--no-owner", "-f", dump], log,
                Environment(sourceConnectionString));
            await ManagedProcess.RunAsync("psql", [.. Arguments(targetConnectionString), "-v", "ON_ERROR_STOP=1", "-q", "-f", dump], log,
                Environment(targetConnectionString));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string[] Arguments(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return ["-h", builder.Host!, "-p", builder.Port.ToString(CultureInfo.InvariantCulture), "-U", builder.Username!, "-d", builder.Database!];
    }

    private static Dictionary<string, string?> Environment(string connectionString) =>
        new() { ["PGPASSWORD"] = new NpgsqlConnectionStringBuilder(connectionString).Password };
}
