namespace OnePass.IdentityProvider.Features.Sessions;

/// <summary>The <c>OnePass:Sessions</c> settings: how long an SSO session lives (CONTRACT §2).</summary>
public sealed class SessionOptions
{
    /// <summary>A session nobody used for this long ends (and its agencies are told).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A session ends this long after its last authentication, however busy.</summary>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// "Last seen" is written at most this often, so a busy citizen costs one Redis write a minute,
    /// not one per request; the idle timeout is therefore exact to within this interval.
    /// </summary>
    public TimeSpan TouchInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often each node looks for sessions that expired, to send their logout notifications.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Prefix of every Redis key, so several deployments (or test runs) can share one Redis.</summary>
    public string RedisKeyPrefix { get; set; } = "onepass:";
}

/// <summary>The <c>OnePass:BackChannelLogout</c> settings: delivery of logout tokens from the outbox.</summary>
public sealed class BackChannelLogoutOptions
{
    /// <summary>How long one POST to an agency may take (FT-16: a hanging agency must not hold others up).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First retry delay; each further retry waits three times longer (5 s, 15 s, 45 s… capped at an hour).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts before a notification is given up and marked failed (about five hours with the defaults).</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>How often each node looks for notifications due (a sign-out on this node wakes it at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Notifications sent in parallel per batch.</summary>
    public int BatchSize { get; set; } = 32;
}
