namespace OnePass.IdentityProvider.Features.Sessions;

/// <summary>
/// Sessions in this process: the embedded default (one node, no Redis). Records are copied in and
/// out so callers never share state with the store, as with Redis.
/// </summary>
public sealed class MemorySessionStorage : ISessionStorage
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (SessionRecord Session, DateTimeOffset Deadline)> _sessions = new(StringComparer.Ordinal);

    // Stable identity (SessionRecord.Sid) -> current key.
    private readonly Dictionary<string, string> _keysBySid = new(StringComparer.Ordinal);

    /// <summary>How many sessions are stored (the active-sessions gauge, Infrastructure/Telemetry).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Count;
            }
        }
    }

    public Task SaveAsync(SessionRecord session, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        Write(session, deadline, mustExist: false);

    public Task<bool> UpdateAsync(SessionRecord session, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        Write(session, deadline, mustExist: true);

    private Task<bool> Write(SessionRecord session, DateTimeOffset deadline, bool mustExist)
    {
        lock (_lock)
        {
            var exists = _sessions.TryGetValue(session.Id, out var existing);
            if (mustExist && !exists)
            {
                return Task.FromResult(false);
            }

            // As in Redis, agencies are only ever added (AddAgencyAsync): the stored ones are kept.
            var copy = Copy(session);
            copy.Agencies.Clear();
            if (exists)
            {
                copy.Agencies.UnionWith(existing.Session.Agencies);
            }

            _sessions[session.Id] = (copy, deadline);
            _keysBySid[copy.Sid] = copy.Id;
            return Task.FromResult(true);
        }
    }

    public Task<SessionRecord?> FindBySidAsync(string sid, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_keysBySid.TryGetValue(sid, out var id) && _sessions.TryGetValue(id, out var entry) ? Copy(entry.Session) : null);
        }
    }

    public Task<bool> MoveAsync(string fromId, SessionRecord session, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_sessions.Remove(fromId, out var old))
            {
                return Task.FromResult(false);
            }

            // The new fields under the new key, with the agencies and stable identity the old key had.
            var moved = session.CopyAs(session.Id, old.Session.Sid);
            moved.Agencies.Clear();
            moved.Agencies.UnionWith(old.Session.Agencies);
            _sessions[moved.Id] = (moved, deadline);
            _keysBySid[moved.Sid] = moved.Id;
            return Task.FromResult(true);
        }
    }

    public Task<SessionRecord?> FindAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_sessions.TryGetValue(id, out var entry) ? Copy(entry.Session) : null);
        }
    }

    public Task TouchAsync(SessionRecord session, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_sessions.TryGetValue(session.Id, out var entry))
            {
                entry.Session.LastSeenAt = session.LastSeenAt;
                _sessions[session.Id] = (entry.Session, deadline);
            }
        }

        return Task.CompletedTask;
    }

    public Task AddAgencyAsync(SessionRecord session, string clientId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_sessions.TryGetValue(session.Id, out var entry))
            {
                entry.Session.Agencies.Add(clientId);
            }
        }

        return Task.CompletedTask;
    }

    public Task RemoveAgencyAsync(SessionRecord session, string clientId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_sessions.TryGetValue(session.Id, out var entry))
            {
                entry.Session.Agencies.Remove(clientId);
            }
        }

        return Task.CompletedTask;
    }

    public Task<SessionRecord?> TakeAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_sessions.Remove(id, out var entry))
            {
                return Task.FromResult<SessionRecord?>(null);
            }

            if (_keysBySid.TryGetValue(entry.Session.Sid, out var current) && current == id)
            {
                _keysBySid.Remove(entry.Session.Sid);
            }

            return Task.FromResult<SessionRecord?>(entry.Session);
        }
    }

    public Task<IReadOnlyList<SessionRecord>> ListForUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<SessionRecord> sessions = [.. _sessions.Values.Where(entry => entry.Session.UserId == userId).Select(entry => Copy(entry.Session))];
            return Task.FromResult(sessions);
        }
    }

    public Task<IReadOnlyList<string>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<string> due = [.. _sessions.Where(entry => entry.Value.Deadline <= now).Select(entry => entry.Key).Take(max)];
            return Task.FromResult(due);
        }
    }

    private static SessionRecord Copy(SessionRecord session) => session.CopyAs(session.Id, session.Sid);
}
