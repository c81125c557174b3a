namespace OnePass.IdentityProvider.Features.Sessions;

/// <summary>
/// One SSO session as stored in Redis (or in process). <see cref="Id"/> is its storage key, new at every
/// authentication, also a re-authentication of the same user (step-up, <c>prompt=login</c>): the session
/// moves to the new key with everything it knows (no fixation, CATALOGUE AT-16). <see cref="Sid"/> is
/// stable for the life of the session, so the agencies' <c>sid</c> and session-bound refresh tokens survive
/// it. The browser's cookie names the key and proves itself with a secret whose hash is <see cref="SecretHash"/>.
/// </summary>
public sealed class SessionRecord
{
    public required string Id { get; init; }

    /// <summary>The session's stable identity: its first key, kept when it moves to a new one.</summary>
    public string Sid { get => field ?? Id; init; }

    public required Guid UserId { get; init; }

    /// <summary>SHA-256 of the cookie's secret; empty when no cookie may use the session any more.</summary>
    public required byte[] SecretHash { get; set; }

    /// <summary>The authentication ticket, serialized and encrypted with the Data Protection key ring (kept in the database).</summary>
    public required byte[] Ticket { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset LastSeenAt { get; set; }

    /// <summary>The absolute end: the last authentication plus the absolute lifetime.</summary>
    public required DateTimeOffset ExpiresAt { get; set; }

    public string? UserAgent { get; set; }

    public string? IpAddress { get; set; }

    /// <summary>Client ids of the agencies this session signed into: the ones single logout notifies.</summary>
    public ISet<string> Agencies { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>A copy with its own set of agencies, stored under <paramref name="id"/> with the stable identity <paramref name="sid"/>.</summary>
    public SessionRecord CopyAs(string id, string sid) => new()
    {
        Id = id,
        Sid = sid,
        UserId = UserId,
        SecretHash = SecretHash,
        Ticket = Ticket,
        CreatedAt = CreatedAt,
        LastSeenAt = LastSeenAt,
        ExpiresAt = ExpiresAt,
        UserAgent = UserAgent,
        IpAddress = IpAddress,
        Agencies = new HashSet<string>(Agencies, StringComparer.Ordinal),
    };

    /// <summary>When the session ends by itself: idle or absolute, whichever comes first.</summary>
    public DateTimeOffset Deadline(TimeSpan idleTimeout) =>
        LastSeenAt + idleTimeout < ExpiresAt ? LastSeenAt + idleTimeout : ExpiresAt;
}
