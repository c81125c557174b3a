using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace OnePass.IdentityProvider.Infrastructure.State;

/// <summary>
/// Short-lived, single-use state shared by the nodes: sign-in steps in progress (a password checked,
/// the code still to come) and WebAuthn ceremony challenges. In Redis when configured, in process
/// otherwise. <see cref="TakeAsync"/> removes what it returns, so each value is used once.
/// </summary>
public interface IEphemeralState
{
    Task SetAsync(string key, byte[] value, TimeSpan lifetime, CancellationToken cancellationToken = default);

    /// <summary>Reads and removes the value; null when unknown, expired or already taken.</summary>
    Task<byte[]?> TakeAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Reads without removing (a step that may be retried, such as a mistyped code).</summary>
    Task<byte[]?> PeekAsync(string key, CancellationToken cancellationToken = default);
}

public sealed class RedisEphemeralState(IConnectionMultiplexer redis, IOptions<OnePassOptions> options) : IEphemeralState
{
    private readonly string _prefix = options.Value.Sessions.RedisKeyPrefix + "state:";

    public Task SetAsync(string key, byte[] value, TimeSpan lifetime, CancellationToken cancellationToken = default) =>
        redis.GetDatabase().StringSetAsync(_prefix + key, value, lifetime).WaitAsync(cancellationToken);

    public async Task<byte[]?> TakeAsync(string key, CancellationToken cancellationToken = default) =>
        await redis.GetDatabase().StringGetDeleteAsync(_prefix + key).WaitAsync(cancellationToken);

    public async Task<byte[]?> PeekAsync(string key, CancellationToken cancellationToken = default) =>
        await redis.GetDatabase().StringGetAsync(_prefix + key).WaitAsync(cancellationToken);
}

public sealed class MemoryEphemeralState(TimeProvider time) : IEphemeralState
{
    private readonly ConcurrentDictionary<string, (byte[] Value, DateTimeOffset Expires)> _values = new(StringComparer.Ordinal);

    public Task SetAsync(string key, byte[] value, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        // Expired entries are dropped as new ones arrive, so the dictionary cannot grow without bound.
        var now = time.GetUtcNow();
        foreach (var (staleKey, entry) in _values)
        {
            if (entry.Expires <= now)
            {
                _values.TryRemove(staleKey, out _);
            }
        }

        _values[key] = (value, now + lifetime);
        return Task.CompletedTask;
    }

    public Task<byte[]?> TakeAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(_values.TryRemove(key, out var entry) && entry.Expires > time.GetUtcNow() ? entry.Value : null);

    public Task<byte[]?> PeekAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(_values.TryGetValue(key, out var entry) && entry.Expires > time.GetUtcNow() ? entry.Value : null);
}
