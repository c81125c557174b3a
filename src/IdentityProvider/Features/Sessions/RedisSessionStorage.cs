using System.Globalization;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Infrastructure;
using StackExchange.Redis;

namespace OnePass.IdentityProvider.Features.Sessions;

/// <summary>
/// Sessions in Redis, shared by every node (CONTRACT §2). Layout, under the configured prefix:
/// <list type="bullet">
/// <item><c>session:{id}</c> — a hash: k (secret hash), t (encrypted ticket), u (user), c/s/x (created,
/// last seen, absolute end; Unix ms), ua, ip;</item>
/// <item><c>session:{id}:agencies</c> — a set of client ids;</item>
/// <item><c>user:{id}:sessions</c> — a set of session ids (the per-user index);</item>
/// <item><c>sessions:deadlines</c> — a sorted set, session id by idle-or-absolute deadline, read by the sweeper.</item>
/// </list>
/// Keys expire a day after the absolute end, so a session that ended while every node was down still
/// has its data when a sweeper next runs; the sweeper, not Redis, decides that a session is over.
/// </summary>
public sealed class RedisSessionStorage(IConnectionMultiplexer redis, IOptions<OnePassOptions> options) : ISessionStorage
{
    private static readonly TimeSpan Grace = TimeSpan.FromDays(1);

    private readonly string _prefix = options.Value.Sessions.RedisKeyPrefix;

    private IDatabase Database => redis.GetDatabase();

    public async Task SaveAsync(SessionRecord session, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        await WriteAsync(session, deadline, mustExist: false, cancellationToken);

    public Task<bool> UpdateAsync(SessionRecord session, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        WriteAsync(session, deadline, mustExist: true, cancellationToken);

    private async Task<bool> WriteAsync(SessionRecord session, DateTimeOffset deadline, bool mustExist, CancellationToken cancellationToken)
    {
        var keyExpiry = (session.ExpiresAt + Grace).UtcDateTime;
        var transaction = Database.CreateTransaction();
        if (mustExist)
        {
            transaction.AddCondition(Condition.KeyExists(SessionKey(session.Id)));
        }

        _ = transaction.KeyDeleteAsync(SessionKey(session.Id));
        _ = transaction.HashSetAsync(SessionKey(session.Id),
        [
            new HashEntry("k", session.SecretHash),
            new HashEntry("t", session.Ticket),
            new HashEntry("u", session.UserId.ToString("N")),
            new HashEntry("c", session.CreatedAt.ToUnixTimeMilliseconds()),
            new HashEntry("s", session.LastSeenAt.ToUnixTimeMilliseconds()),
            new HashEntry("x", session.ExpiresAt.ToUnixTimeMilliseconds()),
            new HashEntry("ua", session.UserAgent ?? string.Empty),
            new HashEntry("ip", session.IpAddress ?? string.Empty),
        ]);
        _ = transaction.KeyExpireAsync(SessionKey(session.Id), keyExpiry);
        _ = transaction.KeyExpireAsync(AgenciesKey(session.Id), keyExpiry);
        _ = transaction.SortedSetAddAsync(DeadlinesKey, session.Id, deadline.ToUnixTimeMilliseconds());
        _ = transaction.SetAddAsync(UserKey(session.UserId), session.Id);
        _ = transaction.KeyExpireAsync(UserKey(session.UserId), keyExpiry);
        return await transaction.ExecuteAsync().WaitAsync(cancellationToken);
    }

    public async Task<SessionRecord?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var batch = Database.CreateBatch();
        var fields = batch.HashGetAllAsync(SessionKey(id));
        var agencies = batch.SetMembersAsync(AgenciesKey(id));
        batch.Execute();
        return Parse(id, await fields.WaitAsync(cancellationToken), await agencies.WaitAsync(cancellationToken));
    }

    public async Task TouchAsync(SessionRecord session, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        // Only an existing session is touched: a touch racing a sign-out must not bring a stub back.
        var transaction = Database.CreateTransaction();
        transaction.AddCondition(Condition.KeyExists(SessionKey(session.Id)));
        _ = transaction.HashSetAsync(SessionKey(session.Id),
        [
            new HashEntry("s", session.LastSeenAt.ToUnixTimeMilliseconds()),
            new HashEntry("ua", session.UserAgent ?? string.Empty),
            new HashEntry("ip", session.IpAddress ?? string.Empty),
        ]);
        _ = transaction.SortedSetAddAsync(DeadlinesKey, session.Id, deadline.ToUnixTimeMilliseconds());
        await transaction.ExecuteAsync().WaitAsync(cancellationToken);
    }

    public async Task AddAgencyAsync(SessionRecord session, string clientId, CancellationToken cancellationToken)
    {
        var transaction = Database.CreateTransaction();
        transaction.AddCondition(Condition.KeyExists(SessionKey(session.Id)));
        _ = transaction.SetAddAsync(AgenciesKey(session.Id), clientId);
        _ = transaction.KeyExpireAsync(AgenciesKey(session.Id), (session.ExpiresAt + Grace).UtcDateTime);
        await transaction.ExecuteAsync().WaitAsync(cancellationToken);
    }

    public async Task<SessionRecord?> TakeAsync(string id, CancellationToken cancellationToken)
    {
        // Read and delete in one MULTI: an agency added meanwhile is either in what we read or refused.
        var transaction = Database.CreateTransaction();
        var fields = transaction.HashGetAllAsync(SessionKey(id));
        var agencies = transaction.SetMembersAsync(AgenciesKey(id));
        var deleted = transaction.KeyDeleteAsync(SessionKey(id));
        _ = transaction.KeyDeleteAsync(AgenciesKey(id));
        _ = transaction.SortedSetRemoveAsync(DeadlinesKey, id);
        await transaction.ExecuteAsync().WaitAsync(cancellationToken);

        if (!await deleted || Parse(id, await fields, await agencies) is not { } session)
        {
            return null; // already ended by someone else
        }

        await Database.SetRemoveAsync(UserKey(session.UserId), id).WaitAsync(cancellationToken);
        return session;
    }

    public async Task<IReadOnlyList<SessionRecord>> ListForUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        var ids = await Database.SetMembersAsync(UserKey(userId)).WaitAsync(cancellationToken);
        var sessions = new List<SessionRecord>(ids.Length);
        foreach (var id in ids)
        {
            if (await FindAsync(id!, cancellationToken) is { } session)
            {
                sessions.Add(session);
            }
            else
            {
                await Database.SetRemoveAsync(UserKey(userId), id).WaitAsync(cancellationToken); // expired by Redis
            }
        }

        return sessions;
    }

    public async Task<IReadOnlyList<string>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var due = await Database.SortedSetRangeByScoreAsync(DeadlinesKey, stop: now.ToUnixTimeMilliseconds(), take: max)
            .WaitAsync(cancellationToken);
        return [.. due.Select(value => value.ToString())];
    }

    private static SessionRecord? Parse(string id, HashEntry[] fields, RedisValue[] agencies)
    {
        if (fields.Length == 0)
        {
            return null;
        }

        var values = fields.ToDictionary(field => field.Name.ToString(), field => field.Value, StringComparer.Ordinal);
        if (!values.TryGetValue("u", out var user) || !Guid.TryParseExact(user.ToString(), "N", out var userId) ||
            !values.TryGetValue("t", out var ticket) || !values.TryGetValue("k", out var secret))
        {
            return null; // a partial record (a touch that raced a delete): treat as gone
        }

        return new SessionRecord
        {
            Id = id,
            UserId = userId,
            SecretHash = (byte[])secret!,
            Ticket = (byte[])ticket!,
            CreatedAt = Time(values, "c"),
            LastSeenAt = Time(values, "s"),
            ExpiresAt = Time(values, "x"),
            UserAgent = Text(values, "ua"),
            IpAddress = Text(values, "ip"),
            Agencies = new HashSet<string>(agencies.Select(agency => agency.ToString()), StringComparer.Ordinal),
        };
    }

    private static DateTimeOffset Time(Dictionary<string, RedisValue> values, string name) =>
        values.TryGetValue(name, out var value) && long.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.MinValue;

    private static string? Text(Dictionary<string, RedisValue> values, string name) =>
        values.TryGetValue(name, out var value) && !value.IsNullOrEmpty ? value.ToString() : null;

    private RedisKey SessionKey(string id) => $"{_prefix}session:{id}";

    private RedisKey AgenciesKey(string id) => $"{_prefix}session:{id}:agencies";

    private RedisKey UserKey(Guid userId) => $"{_prefix}user:{userId:N}:sessions";

    private RedisKey DeadlinesKey => $"{_prefix}sessions:deadlines";
}
