using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Infrastructure;

namespace OnePass.IdentityProvider.Data;

public static class DatabaseServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="OnePassDbContext"/> on SQLite (default, under <c>data/</c>) or PostgreSQL,
    /// chosen by <c>OnePass__DatabaseProvider</c>, with OpenIddict's entity sets keyed by Guid. Contexts are
    /// pooled: every token request opens one, and building a fresh one each time (its services, the model
    /// lookup) showed in the token endpoint's profile (issue 7). The contexts hold no state of their own.
    /// </summary>
    public static IHostApplicationBuilder AddOnePassDatabase(this IHostApplicationBuilder builder)
    {
        var provider = builder.Configuration.GetValue(
            $"{OnePassOptions.SectionName}:{nameof(OnePassOptions.DatabaseProvider)}", DatabaseProvider.Sqlite);
        var connectionString = builder.Configuration.GetConnectionString("Database");

        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                var sqlite = SqliteConnectionString(connectionString, builder.Environment.ContentRootPath);
                builder.Services.AddDbContextPool<OnePassDbContext, SqliteOnePassDbContext>(options =>
                    options.UseSqlite(sqlite).UseOpenIddict<Guid>());
                break;

            case DatabaseProvider.PostgreSQL:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException(
                        "OnePass__DatabaseProvider is PostgreSQL but ConnectionStrings__Database is not set.");
                }

                var postgres = PostgreSqlConnectionString(connectionString);
                builder.Services.AddDbContextPool<OnePassDbContext, PostgreSqlOnePassDbContext>(options =>
                    options.UseNpgsql(postgres, npgsql => npgsql.EnableRetryOnFailure(3))
                        .UseOpenIddict<Guid>());
                break;

            default:
                throw new InvalidOperationException($"Unknown OnePass__DatabaseProvider '{provider}'.");
        }

        return builder;
    }

    // The same few statements run for every request, so they are prepared once per connection (PostgreSQL then skips
    // parsing and planning them): Npgsql's automatic preparation, unless the connection string says otherwise. Behind
    // PgBouncer in transaction mode, that needs PgBouncer 1.21+ with max_prepared_statements set, or Max Auto Prepare=0.
    private static string PostgreSqlConnectionString(string configured)
    {
        var csb = new Npgsql.NpgsqlConnectionStringBuilder(configured);
        if (!configured.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase) &&
            !configured.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            csb.MaxAutoPrepare = 64;
            csb.AutoPrepareMinUsages = 2;
        }

        return csb.ConnectionString;
    }

    // A relative SQLite path is relative to the content root, and its folder is created on first start.
    private static string SqliteConnectionString(string? configured, string contentRoot)
    {
        var csb = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(configured)
            ? "Data Source=data/onepass.db"
            : configured);

        if (csb.DataSource != ":memory:" && csb.Mode != SqliteOpenMode.Memory)
        {
            var path = Path.GetFullPath(csb.DataSource, contentRoot);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            csb.DataSource = path;
        }

        // Several requests may write at once (tokens, lockout counters): wait instead of failing.
        csb.DefaultTimeout = Math.Max(csb.DefaultTimeout, 30);
        return csb.ToString();
    }
}
