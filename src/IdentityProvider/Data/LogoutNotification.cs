namespace OnePass.IdentityProvider.Data;

/// <summary>
/// One back-channel logout token to deliver to one agency (the outbox): written when a session ends,
/// in the same moment for every agency of that session, and sent by any node's dispatcher until the
/// agency answers 200 or the attempts run out. Only identifiers are kept; the token is signed at each
/// attempt, so a retry after a restart is not stale.
/// </summary>
public sealed class LogoutNotification
{
    public Guid Id { get; set; }

    public required string ClientId { get; set; }

    /// <summary>The <c>iss</c> of the token: OnePass's issuer when the session ended.</summary>
    public required string Issuer { get; set; }

    public required string Uri { get; set; }

    /// <summary>The <c>sub</c> this agency knows (pairwise or public).</summary>
    public required string Subject { get; set; }

    /// <summary>The <c>sid</c> this agency knows; empty when the logout is for every session of the subject (no <c>sid</c> claim).</summary>
    public required string SessionId { get; set; }

    /// <summary>
    /// The <c>jti</c> of the latest attempt: each attempt is signed anew with a new <c>jti</c>, so an agency
    /// that processed an attempt whose answer was lost does not refuse the retry as a replay.
    /// </summary>
    public required string TokenId { get; set; }

    /// <summary>Why the session ended (signed out, expired…), for the admin view.</summary>
    public required string Reason { get; set; }

    public LogoutNotificationStatus Status { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the next attempt is due; while one is running, the end of its lease.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public int? LastStatusCode { get; set; }

    public string? LastError { get; set; }
}

public enum LogoutNotificationStatus
{
    Pending = 0,
    Delivered = 1,
    Failed = 2,
}
