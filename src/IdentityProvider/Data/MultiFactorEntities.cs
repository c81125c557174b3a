namespace OnePass.IdentityProvider.Data;

/// <summary>
/// A user's authenticator app (TOTP, RFC 6238). The secret is protected by Data Protection. The last
/// accepted time step is kept here, not in a cache, so a code is accepted once across nodes and
/// restarts (CATALOGUE IN-LG-07, FT-04); so is the count of consecutive wrong codes (AT-20).
/// </summary>
public sealed class UserTotp
{
    public Guid UserId { get; set; }

    public required string ProtectedSecret { get; set; }

    /// <summary>Null until the enrolment is confirmed with a first valid code.</summary>
    public DateTimeOffset? ConfirmedAt { get; set; }

    public long LastAcceptedStep { get; set; }

    public int ConsecutiveFailures { get; set; }

    /// <summary>After too many wrong codes in a row, codes are refused until then (recovery codes still work).</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One single-use recovery code, stored as a keyed hash only.</summary>
public sealed class RecoveryCode
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string CodeHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>A passkey (WebAuthn public-key credential) registered by a user.</summary>
public sealed class PasskeyCredential
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>The credential id the authenticator chose; unique across all users (CATALOGUE IN-LG-10).</summary>
    public required byte[] CredentialId { get; set; }

    public required byte[] PublicKey { get; set; }

    /// <summary>The WebAuthn user handle (random per user, never the user id itself).</summary>
    public required byte[] UserHandle { get; set; }

    /// <summary>The last signature counter seen; a regression means a cloned authenticator.</summary>
    public long SignatureCounter { get; set; }

    public required string Name { get; set; }

    public Guid AaGuid { get; set; }

    public string? Transports { get; set; }

    public bool IsBackupEligible { get; set; }

    public bool IsBackedUp { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }
}

/// <summary>
/// An authentication event (issue 4, "Audit"): every factor success and failure, with method, agency,
/// IP and user agent, for the citizen's activity page and the admin console. Never a secret or code.
/// </summary>
public sealed class AuthEvent
{
    public Guid Id { get; set; }

    public DateTimeOffset Time { get; set; }

    /// <summary>Null when the user is unknown (a failed password for a name that does not exist).</summary>
    public Guid? UserId { get; set; }

    /// <summary><c>pwd</c>, <c>otp</c>, <c>recovery</c>, <c>passkey</c>.</summary>
    public required string Method { get; set; }

    /// <summary><c>success</c>, <c>failure</c>, <c>locked</c>, <c>replay</c>, <c>counter-regression</c>…</summary>
    public required string Outcome { get; set; }

    public string? ClientId { get; set; }

    public string? IpAddress { get; set; }

    public string? UserAgent { get; set; }
}
