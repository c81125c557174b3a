using Microsoft.Extensions.Diagnostics.HealthChecks;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Infrastructure.Keys;
using StackExchange.Redis;

namespace OnePass.IdentityProvider.Infrastructure.Health;

/// <summary>
/// CONTRACT §6: <c>/health/live</c> answers while the process runs; <c>/health/ready</c> only when the
/// database (and Redis, where configured) answer and the shared keys are loaded (CATALOGUE FT-10).
/// </summary>
public static class HealthEndpoints
{
    private const string Ready = "ready";

    public static IHostApplicationBuilder AddOnePassHealth(this IHostApplicationBuilder builder)
    {
        var checks = builder.Services.AddHealthChecks()
            .AddDbContextCheck<OnePassDbContext>("database", tags: [Ready])
            .AddCheck<KeysLoadedCheck>("keys", tags: [Ready]);

        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Redis")))
        {
            checks.AddCheck<RedisCheck>("redis", tags: [Ready]);
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapOnePassHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        endpoints.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains(Ready) });
        return endpoints;
    }

    private sealed class KeysLoadedCheck(KeyRing ring, SubjectIdentifiers subjects) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(ring.IsLoaded && subjects.IsLoaded
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The shared keys are not loaded."));
    }

    /// <summary>
    /// Redis answers, and it serves this node's cluster: the first node records a fingerprint of its
    /// database in Redis; a node pointed at the same Redis but another database (its own keys, its own
    /// users) is never ready, so it cannot issue tokens the others reject (CATALOGUE FT-10).
    /// </summary>
    private sealed class RedisCheck(IConnectionMultiplexer redis, SubjectIdentifiers subjects, Microsoft.Extensions.Options.IOptions<OnePassOptions> options) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var database = redis.GetDatabase();
                await database.PingAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
                if (!subjects.IsLoaded)
                {
                    return HealthCheckResult.Unhealthy("The shared keys are not loaded.");
                }

                var key = new RedisKey(options.Value.Sessions.RedisKeyPrefix + "cluster:database");
                var ours = subjects.DatabaseFingerprint;
                await database.StringSetAsync(key, ours, when: When.NotExists).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
                var cluster = await database.StringGetAsync(key).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
                return cluster == ours
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy(
                        "This node's database is not the one the other nodes on this Redis use: check ConnectionStrings__Database " +
                        "(or give each deployment its own OnePass__Sessions__RedisKeyPrefix).");
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("Redis does not answer.");
            }
        }
    }
}
