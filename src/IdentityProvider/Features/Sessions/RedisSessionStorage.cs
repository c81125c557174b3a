using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Infrastructure;
using StackExchange.Redis;

namespace OnePass.IdentityProvider.Features.Sessions;

/// <summary>
/// Sessions in Redis, shared by every node (CONTRACT §2). Per session one string key,
/// <c>session:{id}</c>, holding a compact binary record (see <see cref="Encode"/>): one key and no hash
/// keep a session near 1.5 KB of Redis memory (bench/Sessions). Besides it, under the same prefix:
/// <c>user:{id}:sessions</c>, a set per user (the "where you're signed in" index), and
/// <c>sessions:deadlines</c>, session ids by idle-or-absolute deadline, read by the expiry sweeper, and
/// <c>sid:{sid}</c>, the current key of the session whose stable identity is <c>sid</c> (a session moves
/// to a new key at every authentication, CATALOGUE AT-16).
/// Writes that must not resurrect an ended session are small Lua scripts (atomic in Redis). Keys
/// expire a day after the absolute end, so a session that ended while every node was down still has
/// its data when a sweeper next runs; the sweeper, not Redis, decides that a session is over.
/// </summary>
public sealed class RedisSessionStorage(IConnectionMultiplexer redis, IOptions<OnePassOptions> options) : ISessionStorage
{
    private const byte FormatVersion = 2; // 2 adds the stable identity (sid) after the ticket; 1 is still read
    private const int LastSeenOffset = 25;
    private const int AgenciesOffsetPosition = 41;
    private static readonly TimeSpan Grace = TimeSpan.FromDays(1);

    // KEYS: 1 session, 2 deadlines, 3 user index, 4 sid pointer.
    // ARGV: 1 record (without agencies), 2 key expiry (Unix ms), 3 must exist (1/0), 4 deadline, 5 id.
    // The agencies already stored (the record's tail) are kept: they are only ever added.
    private const string SaveScript = """
        local old = redis.call('GET', KEYS[1])
        if ARGV[3] == '1' and not old then return 0 end
        local tail = ''
        if old then tail = string.sub(old, struct.unpack('<i4', old, 42) + 1) end
        redis.call('SET', KEYS[1], ARGV[1] .. tail, 'PXAT', ARGV[2])
        redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
        redis.call('SADD', KEYS[3], ARGV[5])
        redis.call('PEXPIREAT', KEYS[3], ARGV[2])
        redis.call('SET', KEYS[4], ARGV[5], 'PXAT', ARGV[2])
        return 1
        """;

    // KEYS: 1 old session, 2 new session, 3 deadlines, 4 user index, 5 sid pointer.
    // ARGV: 1 new record (without agencies), 2 key expiry (Unix ms), 3 deadline, 4 old id, 5 new id.
    // One step: the old key is gone and the new one has the old agencies, index entry and deadline entry.
    private const string MoveScript = """
        local old = redis.call('GET', KEYS[1])
        if not old then return 0 end
        local tail = string.sub(old, struct.unpack('<i4', old, 42) + 1)
        redis.call('DEL', KEYS[1])
        redis.call('SET', KEYS[2], ARGV[1] .. tail, 'PXAT', ARGV[2])
        redis.call('ZREM', KEYS[3], ARGV[4])
        redis.call('ZADD', KEYS[3], ARGV[3], ARGV[5])
        redis.call('SREM', KEYS[4], ARGV[4])
        redis.call('SADD', KEYS[4], ARGV[5])
        redis.call('PEXPIREAT', KEYS[4], ARGV[2])
        redis.call('SET', KEYS[5], ARGV[5], 'PXAT', ARGV[2])
        return 1
        """;

    // KEYS: 1 sid pointer. ARGV: 1 session key prefix, 2 sid. The current record, with its id, in one round
    // trip. Without a pointer (a record of format 1), the session's key is its sid.
    private const string FindBySidScript = """
        local id = redis.call('GET', KEYS[1]) or ARGV[2]
        local record = redis.call('GET', ARGV[1] .. id)
        if not record then return false end
        return {id, record}
        """;

    // KEYS: 1 sid pointer. ARGV: 1 id. Removes the pointer only while it still names this session's key.
    private const string ForgetSidScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    // ARGV: 1 last seen (8 bytes, little-endian), 2 deadline, 3 id.
    private const string TouchScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('SETRANGE', KEYS[1], 25, ARGV[1])
        redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
        return 1
        """;

    // Not APPEND: it over-allocates (doubles) the string, which would double a session's memory.
    private const string AddAgencyScript = """
        local old = redis.call('GET', KEYS[1])
        if not old then return 0 end
        redis.call('SET', KEYS[1], old .. ARGV[1], 'KEEPTTL')
        return 1
        """;

    // ARGV: 1 the agency as stored (length byte + UTF-8). Rewrites the tail without it, keeping the time to live.
    private const string RemoveAgencyScript = """
        local old = redis.call('GET', KEYS[1])
        if not old then return 0 end
        local head = struct.unpack('<i4', old, 42)
        local kept = {}
        local i = head + 1
        while i <= #old do
          local n = string.byte(old, i)
          local entry = string.sub(old, i, i + n)
          if entry ~= ARGV[1] then kept[#kept + 1] = entry end
          i = i + n + 1
        end
        redis.call('SET', KEYS[1], string.sub(old, 1, head) .. table.concat(kept), 'KEEPTTL')
        return 1
        """;

    private readonly string _prefix = options.Value.Sessions.RedisKeyPrefix;

    private IDatabase Database => redis.GetDatabase();

    public async Task SaveAsync(SessionRecord session, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        await WriteAsync(session, deadline, mustExist: false, cancellationToken);

    public Task<bool> UpdateAsync(SessionRecord session, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        WriteAsync(session, deadline, mustExist: true, cancellationToken);

    private async Task<bool> WriteAsync(SessionRecord session, DateTimeOffset deadline, bool mustExist, CancellationToken cancellationToken)
    {
        var result = await Database.ScriptEvaluateAsync(SaveScript,
            [SessionKey(session.Id), DeadlinesKey, UserKey(session.UserId), SidKey(session.Sid)],
            [
                Encode(session),
                (session.ExpiresAt + Grace).ToUnixTimeMilliseconds(),
                mustExist ? "1" : "0",
                deadline.ToUnixTimeMilliseconds(),
                session.Id,
            ]).WaitAsync(cancellationToken);
        return (int)result == 1;
    }

    public async Task<SessionRecord?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var value = await Database.StringGetAsync(SessionKey(id)).WaitAsync(cancellationToken);
        return value.IsNull ? null : Decode(id, value!);
    }

    public async Task<SessionRecord?> FindBySidAsync(string sid, CancellationToken cancellationToken)
    {
        var result = await Database.ScriptEvaluateAsync(FindBySidScript, [SidKey(sid)], [$"{_prefix}session:", sid]).WaitAsync(cancellationToken);
        if (result.IsNull || (RedisResult[]?)result is not [var id, var record])
        {
            return null;
        }

        return Decode((string)id!, (byte[])record!) is { } session && session.Sid == sid ? session : null;
    }

    public async Task<bool> MoveAsync(string fromId, SessionRecord session, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var result = await Database.ScriptEvaluateAsync(MoveScript,
            [SessionKey(fromId), SessionKey(session.Id), DeadlinesKey, UserKey(session.UserId), SidKey(session.Sid)],
            [
                Encode(session),
                (session.ExpiresAt + Grace).ToUnixTimeMilliseconds(),
                deadline.ToUnixTimeMilliseconds(),
                fromId,
                session.Id,
            ]).WaitAsync(cancellationToken);
        return (int)result == 1;
    }

    public async Task TouchAsync(SessionRecord session, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var lastSeen = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(lastSeen, session.LastSeenAt.ToUnixTimeMilliseconds());
        await Database.ScriptEvaluateAsync(TouchScript, [SessionKey(session.Id), DeadlinesKey],
            [lastSeen, deadline.ToUnixTimeMilliseconds(), session.Id]).WaitAsync(cancellationToken);
    }

    public async Task AddAgencyAsync(SessionRecord session, string clientId, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(clientId);
        if (bytes.Length > byte.MaxValue)
        {
            throw new ArgumentException("A client id longer than 255 bytes cannot be recorded.", nameof(clientId));
        }

        await Database.ScriptEvaluateAsync(AddAgencyScript, [SessionKey(session.Id)], [(byte[])[(byte)bytes.Length, .. bytes]])
            .WaitAsync(cancellationToken);
    }

    public async Task RemoveAgencyAsync(SessionRecord session, string clientId, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(clientId);
        if (bytes.Length > byte.MaxValue)
        {
            return; // never recorded (see AddAgencyAsync)
        }

        await Database.ScriptEvaluateAsync(RemoveAgencyScript, [SessionKey(session.Id)], [(byte[])[(byte)bytes.Length, .. bytes]])
            .WaitAsync(cancellationToken);
    }

    public async Task<SessionRecord?> TakeAsync(string id, CancellationToken cancellationToken)
    {
        // GETDEL is atomic: of concurrent callers exactly one receives the record.
        var value = await Database.StringGetDeleteAsync(SessionKey(id)).WaitAsync(cancellationToken);
        await Database.SortedSetRemoveAsync(DeadlinesKey, id).WaitAsync(cancellationToken);
        if (value.IsNull || Decode(id, value!) is not { } session)
        {
            return null; // already ended by someone else
        }

        await Database.SetRemoveAsync(UserKey(session.UserId), id).WaitAsync(cancellationToken);
        await Database.ScriptEvaluateAsync(ForgetSidScript, [SidKey(session.Sid)], [id]).WaitAsync(cancellationToken);
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

    /// <summary>
    /// The record, little-endian: version (1), user id (16), created, last seen, absolute end (Unix ms,
    /// 8 each; last seen at offset 25 so a touch rewrites 8 bytes), offset of the agencies (4), secret
    /// hash (1 + n), user agent (2 + n, UTF-8), IP (1 + n), ticket (4 + n), stable identity (1 + n, ASCII;
    /// not in version 1, where it is the id); then the agencies, each 1 + n
    /// bytes of UTF-8, appended as the session signs into them.
    /// </summary>
    public static byte[] Encode(SessionRecord session)
    {
        var userAgent = Encoding.UTF8.GetBytes(session.UserAgent ?? string.Empty);
        var ip = Encoding.ASCII.GetBytes(session.IpAddress ?? string.Empty);
        var sid = Encoding.ASCII.GetBytes(session.Sid);
        if (userAgent.Length > ushort.MaxValue || ip.Length > byte.MaxValue || session.SecretHash.Length > byte.MaxValue || sid.Length > byte.MaxValue)
        {
            throw new ArgumentException("A session field is too long to store.", nameof(session));
        }

        using var buffer = new MemoryStream(64 + userAgent.Length + ip.Length + session.Ticket.Length);
        using var writer = new BinaryWriter(buffer);
        writer.Write(FormatVersion);
        writer.Write(session.UserId.ToByteArray());
        writer.Write(session.CreatedAt.ToUnixTimeMilliseconds());
        writer.Write(session.LastSeenAt.ToUnixTimeMilliseconds());
        writer.Write(session.ExpiresAt.ToUnixTimeMilliseconds());
        writer.Write(0); // agencies offset, set below
        writer.Write((byte)session.SecretHash.Length);
        writer.Write(session.SecretHash);
        writer.Write((ushort)userAgent.Length);
        writer.Write(userAgent);
        writer.Write((byte)ip.Length);
        writer.Write(ip);
        writer.Write(session.Ticket.Length);
        writer.Write(session.Ticket);
        writer.Write((byte)sid.Length);
        writer.Write(sid);
        writer.Flush();

        var bytes = buffer.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(AgenciesOffsetPosition), bytes.Length);
        return bytes;
    }

    /// <summary>Reads a record; null for anything malformed (treated as no session, never an error page).</summary>
    public static SessionRecord? Decode(string id, byte[] bytes)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes));
            var version = reader.ReadByte();
            if (version is not (1 or FormatVersion))
            {
                return null;
            }

            var userId = new Guid(reader.ReadBytes(16));
            var created = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64());
            var lastSeen = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64());
            var expires = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64());
            var agenciesOffset = reader.ReadInt32();
            var secretHash = reader.ReadBytes(reader.ReadByte());
            var userAgent = Encoding.UTF8.GetString(reader.ReadBytes(reader.ReadUInt16()));
            var ip = Encoding.ASCII.GetString(reader.ReadBytes(reader.ReadByte()));
            var ticket = reader.ReadBytes(reader.ReadInt32());
            var sid = version == 1 ? id : Encoding.ASCII.GetString(reader.ReadBytes(reader.ReadByte()));
            if (reader.BaseStream.Position != agenciesOffset)
            {
                return null;
            }

            var agencies = new HashSet<string>(StringComparer.Ordinal);
            while (reader.BaseStream.Position < bytes.Length)
            {
                agencies.Add(Encoding.UTF8.GetString(reader.ReadBytes(reader.ReadByte())));
            }

            return new SessionRecord
            {
                Id = id,
                Sid = sid,
                UserId = userId,
                SecretHash = secretHash,
                Ticket = ticket,
                CreatedAt = created,
                LastSeenAt = lastSeen,
                ExpiresAt = expires,
                UserAgent = userAgent.Length == 0 ? null : userAgent,
                IpAddress = ip.Length == 0 ? null : ip,
                Agencies = agencies,
            };
        }
        catch (Exception exception) when (exception is EndOfStreamException or ArgumentException)
        {
            return null;
        }
    }

    private RedisKey SessionKey(string id) => $"{_prefix}session:{id}";

    private RedisKey UserKey(Guid userId) => $"{_prefix}user:{userId:N}:sessions";

    private RedisKey DeadlinesKey => $"{_prefix}sessions:deadlines";

    private RedisKey SidKey(string sid) => $"{_prefix}sid:{sid}";
}
