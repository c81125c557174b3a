namespace OnePass.IdentityProvider.Features.Sessions;

/// <summary>
/// Where SSO sessions live: Redis when <c>ConnectionStrings__Redis</c> is set, the process otherwise.
/// Only storage: every rule (timeouts, secrets, single logout) is in <see cref="SsoSessionStore"/>, so
/// both backings behave the same.
/// </summary>
public interface ISessionStorage
{
    /// <summary>Creates or replaces the session (agencies are kept: they are only ever added).</summary>
    Task SaveAsync(SessionRecord session, DateTimeOffset deadline, CancellationToken cancellationToken);

    /// <summary>Replaces an existing session (never brings back one that ended meanwhile); false when it is gone.</summary>
    Task<bool> UpdateAsync(SessionRecord session, DateTimeOffset deadline, CancellationToken cancellationToken);

    Task<SessionRecord?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>The session whose stable identity (<see cref="SessionRecord.Sid"/>) is <paramref name="sid"/>, whatever its current key.</summary>
    Task<SessionRecord?> FindBySidAsync(string sid, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically moves the session stored under <paramref name="fromId"/> to <paramref name="session"/>'s id
    /// with <paramref name="session"/>'s fields, keeping its agencies, per-user index entry and stable identity;
    /// the old key is gone afterwards. False (and nothing written) when the old session is gone.
    /// </summary>
    Task<bool> MoveAsync(string fromId, SessionRecord session, DateTimeOffset deadline, CancellationToken cancellationToken);

    /// <summary>Moves "last seen" (and the idle deadline) forward.</summary>
    Task TouchAsync(SessionRecord session, DateTimeOffset deadline, CancellationToken cancellationToken);

    Task AddAgencyAsync(SessionRecord session, string clientId, CancellationToken cancellationToken);

    /// <summary>Forgets one agency of the session (the citizen disconnected it); nothing when the session is gone.</summary>
    Task RemoveAgencyAsync(SessionRecord session, string clientId, CancellationToken cancellationToken);

    /// <summary>Removes the session and returns it; of concurrent callers exactly one gets it (one logout notification).</summary>
    Task<SessionRecord?> TakeAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<SessionRecord>> ListForUserAsync(Guid userId, CancellationToken cancellationToken);

    /// <summary>Ids of sessions whose deadline has passed.</summary>
    Task<IReadOnlyList<string>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);
}
