using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Infrastructure;
using OpenIddict.EntityFrameworkCore.Models;
using StackExchange.Redis;

namespace OnePass.IdentityProvider.Features.Agencies;

/// <summary>
/// The agencies (OpenIddict applications) of this node, shared by all its requests, so a token or authorization
/// request does not query the database for its client (issue 7: the lookup was a third of the busy time of a
/// <c>client_credentials</c> request). Entries are detached snapshots of the row; <see cref="SharedApplicationCache"/>
/// hands each request its own copy, attached to the request's database context as if it had been loaded from it.
/// <para>
/// A change must reach every node at once (a disabled agency, a rotated secret), so every change made through the
/// application manager drops the entry here and is published on the Redis channel <c>{prefix}agencies:changed</c>;
/// every node drops its entry when the message arrives. While a node's Redis connection is down it could miss
/// messages, so it empties the cache and reads the database until the connection is back. Entries also expire after
/// <see cref="MaxAge"/>, which bounds the effect of a change made without the manager (by hand in the database).
/// Without Redis (a single node) only local changes need to be seen, and they are.
/// </para>
/// </summary>
public sealed class AgencyCache
{
    /// <summary>How long an entry is used before the row is read again, whatever the messages say.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    private const string AllAgencies = "*";

    private readonly ConcurrentDictionary<string, Entry> _byClientId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, string> _clientIdById = new();
    private readonly TimeProvider _time;
    private readonly ILogger<AgencyCache> _logger;
    private readonly IConnectionMultiplexer? _redis;
    private readonly RedisChannel _channel;
    private long _generation;

    // False while changes made on other nodes could be missed (Redis configured but not subscribed).
    private volatile bool _trusted;
    private int _subscribed;

    public AgencyCache(TimeProvider time, ILogger<AgencyCache> logger, IOptions<OnePassOptions> options, IServiceProvider services)
    {
        _time = time;
        _logger = logger;
        _redis = services.GetService<IConnectionMultiplexer>();
        _channel = RedisChannel.Literal(options.Value.Sessions.RedisKeyPrefix + "agencies:changed");
        _trusted = _redis is null;
    }

    /// <summary>Bumped by every invalidation: a snapshot read from the database before a bump is not kept.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>The snapshot of <paramref name="clientId"/>'s row, when one is cached, fresh and trusted. Never modify it.</summary>
    public OpenIddictEntityFrameworkCoreApplication<Guid>? Find(string clientId)
    {
        if (!_trusted || !_byClientId.TryGetValue(clientId, out var entry))
        {
            return null;
        }

        if (_time.GetUtcNow() - entry.LoadedAt < MaxAge)
        {
            return entry.Snapshot;
        }

        _byClientId.TryRemove(new KeyValuePair<string, Entry>(clientId, entry));
        return null;
    }

    /// <summary>The snapshot of the row with this id, when cached (see <see cref="Find(string)"/>).</summary>
    public OpenIddictEntityFrameworkCoreApplication<Guid>? Find(Guid id) =>
        _clientIdById.TryGetValue(id, out var clientId) && Find(clientId) is { } snapshot && snapshot.Id == id ? snapshot : null;

    /// <summary>
    /// Keeps <paramref name="snapshot"/> (a detached copy of the row as read) unless something was invalidated since
    /// <paramref name="generationBeforeRead"/>: the row read may then already be out of date.
    /// </summary>
    public void Keep(OpenIddictEntityFrameworkCoreApplication<Guid> snapshot, long generationBeforeRead)
    {
        if (!_trusted || snapshot.ClientId is not { Length: > 0 } clientId || Generation != generationBeforeRead)
        {
            return;
        }

        var entry = new Entry(snapshot, _time.GetUtcNow());
        _byClientId[clientId] = entry;
        _clientIdById[snapshot.Id] = clientId;

        // An invalidation that raced with this write wins.
        if (Generation != generationBeforeRead)
        {
            _byClientId.TryRemove(new KeyValuePair<string, Entry>(clientId, entry));
        }
    }

    /// <summary>Drops the entry of <paramref name="clientId"/> on this node only.</summary>
    public void Invalidate(string? clientId)
    {
        Interlocked.Increment(ref _generation);
        if (clientId is null || clientId == AllAgencies)
        {
            _byClientId.Clear();
            _clientIdById.Clear();
        }
        else
        {
            _byClientId.TryRemove(clientId, out _);
        }
    }

    /// <summary>Drops the entry of <paramref name="clientId"/> here and, through Redis, on every other node.</summary>
    public async Task InvalidateEverywhereAsync(string? clientId, CancellationToken cancellationToken)
    {
        Invalidate(clientId);
        if (_redis is null)
        {
            return;
        }

        try
        {
            await _redis.GetSubscriber().PublishAsync(_channel, clientId ?? AllAgencies).WaitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // The change is saved; the other nodes' own Redis connections are most likely down too, which makes them
            // read the database (see the class comment), and MaxAge bounds the rest.
            _logger.LogWarning(exception, "Could not tell the other nodes that agency {ClientId} changed.", clientId);
        }
    }

    /// <summary>Subscribes to other nodes' changes and follows the Redis connection (called once at start).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_redis is null)
        {
            return Task.CompletedTask;
        }

        _redis.ConnectionFailed += (_, _) => Distrust();
        _redis.ConnectionRestored += (_, _) => _ = TrustAsync(CancellationToken.None);
        return TrustAsync(cancellationToken);
    }

    private void Distrust()
    {
        _trusted = false;
        Invalidate(null);
    }

    // Subscribes if not yet subscribed, then empties the cache (messages may have been missed) and uses it again.
    private async Task TrustAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (Interlocked.CompareExchange(ref _subscribed, 1, 0) == 0)
            {
                try
                {
                    var queue = await _redis!.GetSubscriber().SubscribeAsync(_channel).WaitAsync(cancellationToken);
                    queue.OnMessage(message => Invalidate(message.Message.ToString()));
                }
                catch
                {
                    Volatile.Write(ref _subscribed, 0);
                    throw;
                }
            }

            Invalidate(null);
            _trusted = _redis!.GetSubscriber().IsConnected(_channel); // the subscription connection, not just any
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or OperationCanceledException)
        {
            // Tried again when the connection comes back (ConnectionRestored); until then the database is read.
            _logger.LogWarning(exception, "Not subscribed to agency changes; agencies are read from the database until Redis answers.");
        }
    }

    private sealed record Entry(OpenIddictEntityFrameworkCoreApplication<Guid> Snapshot, DateTimeOffset LoadedAt);

    /// <summary>Subscribes the cache when the host starts.</summary>
    public sealed class Subscription(AgencyCache cache) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => cache.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
