using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Infrastructure;

namespace OnePass.IdentityProvider.Features.Sessions;

/// <summary>
/// Ends sessions that went idle or reached their absolute lifetime, so their agencies get their
/// back-channel logout even though no browser came back. Every node sweeps; taking a session is
/// atomic, so each expiry is notified once.
/// </summary>
public sealed class SessionExpirySweeper(
    SsoSessionStore sessions,
    IOptions<OnePassOptions> options,
    TimeProvider time,
    ILogger<SessionExpirySweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Sessions.SweepInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stoppingToken);
                var ended = await sessions.EndExpiredAsync(stoppingToken);
                if (ended > 0)
                {
                    logger.LogInformation("Ended {Count} expired sessions.", ended);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // Redis or the database may be briefly away (CATALOGUE FT-03, FT-06): try again next time.
                logger.LogWarning(exception, "Sweeping expired sessions failed; will retry.");
            }
        }
    }
}
