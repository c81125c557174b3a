using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.AdminApi;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Seed;
using OnePass.IdentityProvider.Infrastructure.Keys;

namespace OnePass.IdentityProvider.Infrastructure;

/// <summary>What every start does before serving: migrate, load or create the keys, apply the seed file.</summary>
public static class Startup
{
    public static async Task MigrateAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnePassDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
    }

    public static async Task InitializeOnePassAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await services.MigrateAsync(cancellationToken);

        await using var scope = services.CreateAsyncScope();
        var provider = scope.ServiceProvider;
        var keys = provider.GetRequiredService<KeyStore>();
        await keys.EnsureKeysAsync(cancellationToken);
        await keys.LoadAsync(cancellationToken);

        await provider.GetRequiredService<SubjectIdentifiers>().LoadAsync(
            provider.GetRequiredService<OnePassDbContext>(),
            provider.GetRequiredService<IDataProtectionProvider>(),
            provider.GetRequiredService<TimeProvider>(),
            cancellationToken);

        var options = provider.GetRequiredService<IOptions<OnePassOptions>>().Value;
        var environment = provider.GetRequiredService<IHostEnvironment>();
        var requireHttps = options.RequireHttps ?? !environment.IsDevelopment();
        var seeds = provider.GetRequiredService<SeedApplier>();

        // First the console's own client, so that a seed file may still override it.
        await AdminConsoleClient.RegisterAsync(seeds, options.AdminConsole, requireHttps,
            provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminConsoleClient)), cancellationToken);

        if (!string.IsNullOrWhiteSpace(options.SeedFile))
        {
            await seeds.ApplyFileAsync(Path.GetFullPath(options.SeedFile, environment.ContentRootPath), requireHttps, cancellationToken);
        }
    }
}
