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

        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
        options.SyncTimeout = Math.Min(options.SyncTimeout, 1000);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, 1000);
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        return builder;
    }
}
