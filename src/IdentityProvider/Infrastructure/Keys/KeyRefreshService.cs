using Microsoft.Extensions.Options;

namespace OnePass.IdentityProvider.Infrastructure.Keys;

/// <summary>Re-reads the key table now and then, so a rotation made on any node reaches this one.</summary>
public sealed class KeyRefreshService(IServiceScopeFactory scopes, IOptions<OnePassOptions> options, ILogger<KeyRefreshService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Keys.RefreshInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<KeyStore>().LoadAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Keep serving with the keys already loaded; the next tick tries again.
                logger.LogWarning(exception, "Could not refresh the key ring from the database.");
            }
        }
    }
}
