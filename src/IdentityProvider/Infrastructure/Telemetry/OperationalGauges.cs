using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Sessions;
using StackExchange.Redis;

namespace OnePass.IdentityProvider.Infrastructure.Telemetry;

/// <summary>
/// The values behind OnePass's gauges, read at most every <see cref="MaxAge"/> and never on the scrape's
/// thread: a scrape returns the last value read and, when it is older, starts one refresh in the background.
/// Sessions: with Redis one <c>ZCARD</c> of the deadlines index (O(1); sessions that ended by timeout are
/// counted until the expiry sweeper takes them, a few seconds later); in process, the dictionary's count.
/// Back-channel deliveries pending: one <c>COUNT</c> over the outbox rows still pending.
/// </summary>
public sealed class OperationalGauges(
    IServiceScopeFactory scopes,
    ISessionStorage sessions,
    IOptions<OnePassOptions> options,
    TimeProvider time,
    ILogger<OperationalGauges> logger)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private readonly CachedValue _sessions = new();
    private readonly CachedValue _pending = new();

    public long ActiveSessions() => Read(_sessions, CountSessionsAsync);

    public long PendingLogoutNotifications() => Read(_pending, CountPendingAsync);

    private long Read(CachedValue cached, Func<Task<long>> count)
    {
        var now = time.GetTimestamp();
        if (cached.ReadAt is { } readAt && time.GetElapsedTime(readAt, now) < MaxAge)
        {
            return cached.Value;
        }

        if (Interlocked.CompareExchange(ref cached.Refreshing, 1, 0) == 0)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    cached.Value = await count();
                    cached.ReadAt = time.GetTimestamp();
                }
                catch (Exception exception) when (exception is RedisException or DbUpdateException or InvalidOperationException
                    or TimeoutException or OperationCanceledException or System.Data.Common.DbException)
                {
                    // A store that does not answer leaves the last value; the health checks report the outage.
                    logger.LogDebug(exception, "A gauge could not be refreshed.");
                }
                finally
                {
                    Volatile.Write(ref cached.Refreshing, 0);
                }
            });
        }

        return cached.Value;
    }

    private async Task<long> CountSessionsAsync()
    {
        switch (sessions)
        {
            case MemorySessionStorage memory:
                return memory.Count;
            case RedisSessionStorage:
                await using (var scope = scopes.CreateAsyncScope())
                {
                    var redis = scope.ServiceProvider.GetRequiredService<IConnectionMultiplexer>();
                    return await redis.GetDatabase().SortedSetLengthAsync($"{options.Value.Sessions.RedisKeyPrefix}sessions:deadlines");
                }

            default:
                return 0;
        }
    }

    private async Task<long> CountPendingAsync()
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnePassDbContext>();
        return await db.LogoutNotifications.LongCountAsync(n => n.Status == LogoutNotificationStatus.Pending);
    }

    private sealed class CachedValue
    {
        public long Value;
        public long? ReadAt;
        public int Refreshing;
    }
}
