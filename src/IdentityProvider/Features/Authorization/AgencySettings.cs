using System.Text.Json;
using OpenIddict.Abstractions;

namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>
/// What OnePass keeps about an agency beyond OpenIddict's own fields, stored in the application's
/// <c>Properties</c> so that a client is still one row.
/// </summary>
public sealed record AgencySettings(string SubjectType, string Sector, string? MinimumAcr)
{
    public const string SubjectTypeProperty = "onepass_subject_type";
    public const string SectorProperty = "onepass_sector";
    public const string MinimumAcrProperty = "onepass_minimum_acr";
    public const string FrontchannelLogoutUriProperty = "onepass_frontchannel_logout_uri";
    public const string BackchannelLogoutUriProperty = "onepass_backchannel_logout_uri";

    // Kept by the admin API (issue 5).
    public const string ContactEmailProperty = "onepass_contact_email";

    /// <summary>Present (true) while an administrator has disabled the agency: no sign-in, no token.</summary>
    public const string DisabledProperty = "onepass_disabled";

    /// <summary>
    /// When the agency was last disabled (Unix seconds): its machine access tokens, which have no token row to
    /// revoke, introspect inactive if issued before it (<see cref="OpenIddict.Handlers.StatelessMachineAccessTokens"/>).
    /// </summary>
    public const string MachineTokensNotBeforeProperty = "onepass_machine_tokens_not_before";

    public const string SecretRotatedAtProperty = "onepass_secret_rotated_at";

    /// <summary>The hash of the secret replaced by the last rotation, accepted until <see cref="PreviousSecretExpiresAtProperty"/>.</summary>
    public const string PreviousSecretProperty = "onepass_previous_secret";

    public const string PreviousSecretExpiresAtProperty = "onepass_previous_secret_expires_at";

    /// <summary>Where OnePass POSTs back-channel logout tokens (Back-Channel Logout 1.0), if registered.</summary>
    public Uri? BackchannelLogoutUri { get; init; }

    /// <summary>The page OnePass loads in an iframe at sign-out (Front-Channel Logout 1.0), if registered.</summary>
    public Uri? FrontchannelLogoutUri { get; init; }

    public bool IsPairwise => SubjectType != OpenIddictConstants.SubjectTypes.Public;

    public static async Task<AgencySettings> ReadAsync(
        IOpenIddictApplicationManager applications, object application, CancellationToken cancellationToken = default)
    {
        var properties = await applications.GetPropertiesAsync(application, cancellationToken);
        var clientId = await applications.GetClientIdAsync(application, cancellationToken) ?? string.Empty;
        return new AgencySettings(
            Read(properties, SubjectTypeProperty) ?? OpenIddictConstants.SubjectTypes.Pairwise,
            Read(properties, SectorProperty) ?? clientId,
            Read(properties, MinimumAcrProperty))
        {
            BackchannelLogoutUri = ReadUri(properties, BackchannelLogoutUriProperty),
            FrontchannelLogoutUri = ReadUri(properties, FrontchannelLogoutUriProperty),
        };
    }

    public void WriteTo(OpenIddictApplicationDescriptor descriptor)
    {
        descriptor.Properties[SubjectTypeProperty] = JsonSerializer.SerializeToElement(SubjectType);
        descriptor.Properties[SectorProperty] = JsonSerializer.SerializeToElement(Sector);
        if (MinimumAcr is null)
        {
            descriptor.Properties.Remove(MinimumAcrProperty);
        }
        else
        {
            descriptor.Properties[MinimumAcrProperty] = JsonSerializer.SerializeToElement(MinimumAcr);
        }
    }

    private static Uri? ReadUri(System.Collections.Immutable.ImmutableDictionary<string, JsonElement> properties, string name) =>
        Uri.TryCreate(Read(properties, name), UriKind.Absolute, out var uri) ? uri : null;

    private static string? Read(System.Collections.Immutable.ImmutableDictionary<string, JsonElement> properties, string name) =>
        properties.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
