using StackExchange.Redis;

namespace OnePass.IdentityProvider.Infrastructure;

public static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// A shared Redis connection when <c>ConnectionStrings__Redis</c> is set. It connects in the
    /// background and keeps retrying, so a Redis outage at start leaves the node live but not ready
    /// (CATALOGUE FT-01) instead of crashing it.
    /// </summary>
    public static IHostApplicationBuilder AddOnePassRedis(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return builder;
        }

        // Bounded: a slow Redis gives a quick 503, never requests piling up (CATALOGUE FT-05).
        var timeout = (int)(builder.Configuration.GetValue<TimeSpan?>($"{OnePassOptions.SectionName}:RedisTimeout") ?? TimeSpan.FromSeconds(1)).TotalMilliseconds;
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, Math.Max(2000, timeout));
        options.SyncTimeout = Math.Min(options.SyncTimeout, timeout);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, timeout);
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        return builder;
    }
}
