using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using OnePass.IdentityProvider.Features.Agencies;
using OnePass.IdentityProvider.Features.Authorization;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.AdminApi.Agencies;

/// <summary>
/// An agency as the admin API shows it (docs/admin-api.md, "Agencies"). Text is returned exactly as stored;
/// showing it encoded is the reader's job. Never holds a secret, except <see cref="ClientSecret"/> in the
/// answer to the registration of a confidential client, the one time the secret is shown.
/// </summary>
public sealed record AgencyView(
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
    AgencySecretView? Secret,
    string Version)
{
    /// <summary>Only in the answer to <c>POST /api/admin/agencies</c> for a confidential client: the secret, shown once.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ClientSecret { get; init; }

    /// <summary>
    /// The view of an application's descriptor. <paramref name="logoDigest"/> is the digest of its logo, if any;
    /// <paramref name="version"/> its concurrency token.
    /// </summary>
    public static AgencyView From(OpenIddictApplicationDescriptor descriptor, string? logoDigest, string version)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var clientId = descriptor.ClientId ?? string.Empty;
        var properties = descriptor.Properties;
        var confidential = descriptor.ClientType == ClientTypes.Confidential;
        return new AgencyView(
            clientId,
            descriptor.DisplayName ?? clientId,
            descriptor.ClientType ?? ClientTypes.Public,
            !AgencyDescriptors.IsDisabled(properties),
            AgencyDescriptors.GetString(properties, AgencySettings.ContactEmailProperty),
            logoDigest is null ? null : $"/agency-logos/{Uri.EscapeDataString(clientId)}?v={Uri.EscapeDataString(logoDigest)}",
            [.. descriptor.RedirectUris.Select(uri => uri.OriginalString)],
            [.. descriptor.PostLogoutRedirectUris.Select(uri => uri.OriginalString)],
            AgencyDescriptors.GetString(properties, AgencySettings.FrontchannelLogoutUriProperty),
            AgencyDescriptors.GetString(properties, AgencySettings.BackchannelLogoutUriProperty),
            AgencyDescriptors.GrantsOf(descriptor),
            AgencyDescriptors.ScopesOf(descriptor),
            descriptor.Requirements.Contains(Requirements.Features.ProofKeyForCodeExchange),
            descriptor.ConsentType ?? ConsentTypes.Explicit,
            AgencyDescriptors.GetString(properties, AgencySettings.SubjectTypeProperty) ?? SubjectTypes.Pairwise,
            AgencyDescriptors.GetString(properties, AgencyDescriptors.SectorIdentifierProperty),
            AgencyDescriptors.GetString(properties, AgencySettings.MinimumAcrProperty),
            confidential
                ? new AgencySecretView(
                    Time(AgencyDescriptors.GetString(properties, AgencySettings.SecretRotatedAtProperty)),
                    Time(AgencyDescriptors.GetString(properties, AgencySettings.PreviousSecretExpiresAtProperty)))
                : null,
            version);
    }

    /// <summary>What the change log keeps: the view without its version (a storage detail) and never a secret.</summary>
    public JsonObject ForAudit()
    {
        var node = System.Text.Json.JsonSerializer.SerializeToNode(this with { ClientSecret = null }, AdminJsonBody.Options)!.AsObject();
        node.Remove("version");
        return node;
    }

    private static DateTimeOffset? Time(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time : null;
}

/// <summary>When the current secret was issued and until when the one it replaced is still accepted.</summary>
public sealed record AgencySecretView(DateTimeOffset? RotatedAt, DateTimeOffset? PreviousSecretExpiresAt);

/// <summary>A page of agencies.</summary>
public sealed record AgencyList(IReadOnlyList<AgencyView> Items, int Total, int Page, int PageSize);
