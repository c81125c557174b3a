namespace OnePass.IdentityProvider.Features.AdminApi.Users;

/// <summary>A page of users: <c>{"items", "total", "page", "pageSize"}</c> (docs/admin-api.md, "Calling it").</summary>
public sealed record UserList(IReadOnlyList<UserSummary> Items, int Total, int Page, int PageSize);

/// <summary>
/// A user as the list shows it. <see cref="Status"/>: <c>disabled</c> (by an administrator), <c>locked</c>
/// (failed passwords or authenticator codes, until <see cref="LockedUntil"/>) or <c>active</c>.
/// <see cref="Version"/> is sent back with every change (409 when the user changed meanwhile).
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
    IReadOnlyList<string> Roles,
    string Version);

/// <summary>One user with what an administrator needs to help them: methods, sessions, consents, recent sign-ins.</summary>
public sealed record UserDetail(
    Guid Id,
    string Username,
    string? Email,
    bool EmailConfirmed,
    string? Name,
    string Status,
    DateTimeOffset? LockedUntil,
    int FailedAttempts,
    IReadOnlyList<string> Roles,
    UserMethods Methods,
    IReadOnlyList<UserSessionView> Sessions,
    IReadOnlyList<UserConsent> Consents,
    IReadOnlyList<UserSignInEvent> RecentSignIns,
    string Version);

/// <summary>
/// The sign-in methods a user has: a password (yes or no, never the hash), the authenticator app (TOTP),
/// passkeys and how many unused recovery codes are left.
/// </summary>
public sealed record UserMethods(bool Password, UserTotpView Totp, IReadOnlyList<UserPasskeyView> Passkeys, int RecoveryCodesLeft);

/// <summary><see cref="Enrolled"/> once confirmed with a first code; <see cref="LockedUntil"/> after too many wrong codes.</summary>
public sealed record UserTotpView(bool Enrolled, DateTimeOffset? LockedUntil);

public sealed record UserPasskeyView(Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>A remembered consent (an OpenIddict permanent authorization): which agency may receive which scopes.</summary>
public sealed record UserConsent(string Id, string? ClientId, string? DisplayName, IReadOnlyList<string> Scopes, DateTimeOffset? CreatedAt);

/// <summary>One authentication event (every factor's success or failure); never a secret or code.</summary>
public sealed record UserSignInEvent(DateTimeOffset Time, string Method, string Outcome, string? ClientId, string? IpAddress, string? UserAgent);

/// <summary>
/// The record stored in the change log before and after a change to a user: the account's state and
/// its methods as counts. No password hash, security stamp or secret of any factor.
/// </summary>
public sealed record UserAuditView(
    Guid Id,
    string Username,
    string? Email,
    bool EmailConfirmed,
    string? Name,
    string Status,
    DateTimeOffset? LockoutEnd,
    int FailedAttempts,
    IReadOnlyList<string> Roles,
    bool TotpEnrolled,
    DateTimeOffset? TotpLockedUntil,
    int Passkeys,
    int RecoveryCodesLeft);
