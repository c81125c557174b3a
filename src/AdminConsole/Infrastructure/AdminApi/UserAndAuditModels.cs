using System.Text.Json;

namespace OnePass.AdminConsole.Infrastructure.AdminApi;

// Users, audit and statistics, as the identity provider's admin API writes them
// (src/IdentityProvider/Features/AdminApi/Users, …/Audit; /openapi/v1.json). Unknown members are ignored, so a
// member the API adds later does not break a screen.

// ---- Users -------------------------------------------------------------------------------------

/// <summary>
/// A user in the list. <see cref="Status"/> is <c>active</c>, <c>locked</c> (failed passwords or codes, until
/// <see cref="LockedUntil"/>) or <c>disabled</c> (by an administrator).
/// </summary>
public sealed record UserSummary(
    Guid Id,
    string Username,
    string? Email,
    bool EmailConfirmed,
    string? Name,
    string Status,
    DateTimeOffset? LockedUntil,
    int FailedAttempts,
    IReadOnlyList<string>? Roles,
    string Version);

/// <summary>One user with methods enrolled, live sessions, consents and the 20 latest sign-in events.</summary>
public sealed record UserDetail(
    Guid Id,
    string Username,
    string? Email,
    bool EmailConfirmed,
    string? Name,
    string Status,
    DateTimeOffset? LockedUntil,
    int FailedAttempts,
    IReadOnlyList<string>? Roles,
    UserMethods? Methods,
    IReadOnlyList<UserSession>? Sessions,
    IReadOnlyList<UserConsent>? Consents,
    IReadOnlyList<UserSignInEvent>? RecentSignIns,
    string Version)
{
    public bool IsDisabled => string.Equals(Status, "disabled", StringComparison.Ordinal);

    public bool IsLocked => string.Equals(Status, "locked", StringComparison.Ordinal);
}

/// <summary>A password (yes or no), the authenticator app, passkeys and the unused recovery codes left.</summary>
public sealed record UserMethods(bool Password, UserTotp? Totp, IReadOnlyList<UserPasskey>? Passkeys, int RecoveryCodesLeft);

public sealed record UserTotp(bool Enrolled, DateTimeOffset? LockedUntil);

public sealed record UserPasskey(Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>A remembered consent: which agency may receive which scopes.</summary>
public sealed record UserConsent(string Id, string? ClientId, string? DisplayName, IReadOnlyList<string>? Scopes, DateTimeOffset? CreatedAt);

public sealed record UserSignInEvent(DateTimeOffset Time, string Method, string Outcome, string? ClientId, string? IpAddress, string? UserAgent);

public sealed record UserSession(
    string Id, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt,
    string? UserAgent, string? IpAddress, IReadOnlyList<string>? Agencies);

public sealed record UserSessionList(IReadOnlyList<UserSession> Items);

// ---- Audit -------------------------------------------------------------------------------------

/// <summary>The query of the audit lists and CSV exports; null members are left out. <c>from</c> inclusive, <c>to</c> exclusive.</summary>
public sealed record SignInAuditQuery(
    DateTimeOffset? From = null, DateTimeOffset? To = null, string? UserId = null, string? ClientId = null,
    string? Method = null, string? Outcome = null, int Page = 1, int PageSize = 50);

public sealed record ChangeAuditQuery(
    DateTimeOffset? From = null, DateTimeOffset? To = null, string? ActorId = null, string? TargetType = null,
    string? TargetId = null, string? Action = null, int Page = 1, int PageSize = 50);

/// <summary>One sign-in event; <see cref="Username"/> is <c>unknown</c> when the event has no user or the account is gone.</summary>
public sealed record SignInEvent(
    Guid Id, DateTimeOffset Time, Guid? UserId, string Username, string Method, string Outcome,
    string? ClientId, string? IpAddress, string? UserAgent);

/// <summary>One administration change; <see cref="Before"/> and <see cref="After"/> are the records as JSON (null for a creation or a deletion).</summary>
public sealed record ChangeEvent(
    Guid Id, DateTimeOffset Time, Guid? ActorId, string ActorName, string Action, string TargetType, string TargetId,
    JsonElement? Before, JsonElement? After, string? IpAddress);

public sealed record AuditRetention(int Days, string Version);

public sealed record AuditRetentionRequest(int Days, string Version);

// ---- Statistics --------------------------------------------------------------------------------

/// <summary>
/// GET /api/admin/stats?range=24h|7d: UTC buckets (hours or days, the last one the current), the totals, the
/// agencies with most successful sign-ins and the share of sign-ins that used a second factor.
/// </summary>
public sealed record Statistics(
    string Range,
    string BucketSize,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<StatisticsBucket> Buckets,
    int Successes,
    int Failures,
    IReadOnlyList<AgencySignIns> Agencies,
    MfaShare? Mfa);

public sealed record StatisticsBucket(DateTimeOffset Start, int Successes, int Failures);

public sealed record AgencySignIns(string ClientId, string? DisplayName, int SignIns);

/// <summary>Of the sign-ins where a factor was given, how many used a second one; <see cref="Share"/> null when none.</summary>
public sealed record MfaShare(int SignIns, int WithSecondFactor, double? Share);
