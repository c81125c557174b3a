namespace OnePass.AdminConsole.Infrastructure.AdminApi;

// The admin API's JSON (docs/admin-api.md), read and written with JsonSerializerDefaults.Web (camelCase).

/// <summary>A page of a list: <c>{"items", "total", "page", "pageSize"}</c>.</summary>
public sealed record PagedList<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize)
{
    public int PageCount => PageSize <= 0 ? 1 : Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>The error body: <c>{"error", "error_description", "errors"}</c>.</summary>
public sealed record AdminApiErrorBody(
    [property: System.Text.Json.Serialization.JsonPropertyName("error")] string? Error,
    [property: System.Text.Json.Serialization.JsonPropertyName("error_description")] string? ErrorDescription,
    [property: System.Text.Json.Serialization.JsonPropertyName("errors")] IReadOnlyDictionary<string, string[]>? Errors);

/// <summary>The body of a change that names only the version it read (disable, enable, unlock, reset-mfa).</summary>
public sealed record VersionRequest(string Version);

// ---- Agencies ----------------------------------------------------------------------------------

public sealed record AgencySecretInfo(DateTimeOffset? RotatedAt, DateTimeOffset? PreviousSecretExpiresAt);

public sealed record Agency(
    string ClientId,
    string DisplayName,
    string ClientType,
    bool Enabled,
    string? ContactEmail,
    string? LogoUrl,
    IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> PostLogoutRedirectUris,
    string? FrontchannelLogoutUri,
    string? BackchannelLogoutUri,
    IReadOnlyList<string> GrantTypes,
    IReadOnlyList<string> Scopes,
    bool RequirePkce,
    string Consent,
    string SubjectType,
    string? SectorIdentifier,
    string? MinimumAcr,
    AgencySecretInfo? Secret,
    string Version)
{
    public bool IsConfidential => string.Equals(ClientType, "confidential", StringComparison.Ordinal);
}

/// <summary>POST /api/admin/agencies.</summary>
public sealed record AgencyCreateRequest(
    string ClientId,
    string ClientType,
    string DisplayName,
    string? ContactEmail,
    IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> PostLogoutRedirectUris,
    string? FrontchannelLogoutUri,
    string? BackchannelLogoutUri,
    IReadOnlyList<string> GrantTypes,
    IReadOnlyList<string> Scopes,
    bool RequirePkce,
    string Consent,
    string SubjectType,
    string? SectorIdentifier,
    string? MinimumAcr);

/// <summary>PUT /api/admin/agencies/{clientId}: the editable fields and the version read.</summary>
public sealed record AgencyUpdateRequest(
    string DisplayName,
    string? ContactEmail,
    IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> PostLogoutRedirectUris,
    string? FrontchannelLogoutUri,
    string? BackchannelLogoutUri,
    IReadOnlyList<string> GrantTypes,
    IReadOnlyList<string> Scopes,
    bool RequirePkce,
    string Consent,
    string SubjectType,
    string? SectorIdentifier,
    string? MinimumAcr,
    string Version);

/// <summary>POST /api/admin/agencies/{clientId}/secret.</summary>
public sealed record SecretRotationRequest(string Version, int OverlapHours);

/// <summary>The agency after a creation or a rotation, with the new secret (confidential clients), shown once and never kept.</summary>
public sealed record IssuedAgency(Agency? Agency, string ClientId, string? ClientSecret);

// ---- Scopes ------------------------------------------------------------------------------------

public sealed record Scope(
    string Name,
    string? DisplayName,
    string? Description,
    IReadOnlyList<string>? Claims,
    bool BuiltIn,
    string? Version)
{
    /// <summary>The scopes OnePass defines itself; the API refuses changes to them.</summary>
    public static readonly IReadOnlyList<string> BuiltInNames = ["openid", "profile", "email", "offline_access", "onepass.admin"];

    public bool IsReadOnly => BuiltIn || BuiltInNames.Contains(Name, StringComparer.Ordinal);
}

public sealed record ScopeCreateRequest(string Name, string DisplayName, string Description, IReadOnlyList<string> Claims);

public sealed record ScopeUpdateRequest(string DisplayName, string Description, IReadOnlyList<string> Claims, string Version);
