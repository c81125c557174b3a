namespace OnePass.IdentityProvider.Data;

/// <summary>
/// One change made through the admin API (issue 5): who did what to which record, with the record's
/// state before and after as JSON, secrets redacted. Written in the same transaction as the change.
/// </summary>
public sealed class AdminChange
{
    public Guid Id { get; set; }

    public DateTimeOffset Time { get; set; }

    /// <summary>The administrator's user id (null for a change made by a command-line tool).</summary>
    public Guid? ActorUserId { get; set; }

    /// <summary>The administrator's username at the time, kept so the trail survives their deletion.</summary>
    public required string ActorName { get; set; }

    /// <summary>What was done, <c>{target}.{verb}</c>: <c>agency.create</c>, <c>agency.secret.rotate</c>, <c>user.lock</c>…</summary>
    public required string Action { get; set; }

    /// <summary><c>agency</c>, <c>scope</c>, <c>user</c> or <c>setting</c>.</summary>
    public required string TargetType { get; set; }

    /// <summary>The client id, scope name, user id or setting name.</summary>
    public required string TargetId { get; set; }

    /// <summary>The record before the change as JSON; null for a creation.</summary>
    public string? Before { get; set; }

    /// <summary>The record after the change as JSON; null for a deletion.</summary>
    public string? After { get; set; }

    public string? IpAddress { get; set; }
}

/// <summary>An agency's logo, uploaded through the admin API and served by OnePass (never hot-linked).</summary>
public sealed class AgencyLogo
{
    public required string ClientId { get; set; }

    /// <summary><c>image/png</c>, <c>image/jpeg</c> or <c>image/webp</c>, decided from the bytes, never from the upload's header.</summary>
    public required string ContentType { get; set; }

    public required byte[] Content { get; set; }

    /// <summary>A digest of <see cref="Content"/>, used as the HTTP ETag.</summary>
    public required string Digest { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A setting administrators change at run time (such as the audit retention), shared by every node.</summary>
public sealed class AdminSetting
{
    public required string Name { get; set; }

    public required string Value { get; set; }

    /// <summary>Optimistic concurrency: a stale edit is refused with 409.</summary>
    public Guid Version { get; set; }
}
