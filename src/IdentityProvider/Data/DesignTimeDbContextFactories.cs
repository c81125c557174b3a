using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace OnePass.IdentityProvider.Data;

// Used only by `dotnet ef migrations add`, which needs each provider's context without the app's host.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteOnePassDbContext>
{
    public SqliteOnePassDbContext CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<SqliteOnePassDbContext>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlOnePassDbContext>
{
    public PostgreSqlOnePassDbContext CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<PostgreSqlOnePassDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
