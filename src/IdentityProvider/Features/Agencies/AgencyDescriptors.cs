using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.Agencies;

/// <summary>
/// How an agency's registration is written into an OpenIddict application, the same for the seed file and
/// the admin API: endpoint, grant, response-type and scope permissions, the PKCE requirement, and the
/// OnePass settings kept in the application's properties.
/// </summary>
public static class AgencyDescriptors
{
    /// <summary>The sector identifier URI as registered (the sector itself, a host, is <see cref="AgencySettings.SectorProperty"/>).</summary>
    public const string SectorIdentifierProperty = "onepass_sector_identifier_uri";

    /// <summary>Properties only administrators set (never the seed file), so a seed update keeps them.</summary>
    public static IReadOnlyList<string> AdministeredProperties { get; } =
    [
        AgencySettings.ContactEmailProperty, AgencySettings.DisabledProperty, AgencySettings.SecretRotatedAtProperty,
        AgencySettings.PreviousSecretProperty, AgencySettings.PreviousSecretExpiresAtProperty,
        AgencySettings.MachineTokensNotBeforeProperty,
    ];

    /// <summary>Whether a client id is taken, ignoring case (a username must not equal one either way, CATALOGUE IN-AD-05).</summary>
    public static Task<bool> ClientIdExistsAsync(OnePassDbContext db, string clientId, CancellationToken cancellationToken = default)
    {
        var lowered = clientId.ToLowerInvariant();
#pragma warning disable CA1304, CA1311, CA1862 // translated to SQL lower(): the same in every culture for these ASCII ids
        return db.Set<OpenIddictEntityFrameworkCoreApplication<Guid>>().AsNoTracking()
            .AnyAsync(application => application.ClientId!.ToLower() == lowered, cancellationToken);
#pragma warning restore CA1304, CA1311, CA1862
    }

    /// <summary>
    /// Replaces the permissions and requirements with those of the given grants and scopes. <c>openid</c>
    /// is a protocol scope, not a permission (every agency may ask for it).
    /// </summary>
    public static void SetPermissions(
        OpenIddictApplicationDescriptor descriptor, bool isConfidential, IReadOnlyCollection<string> grants, IEnumerable<string> scopes, bool requirePkce)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        descriptor.Permissions.Clear();
        descriptor.Requirements.Clear();
        descriptor.Permissions.Add(Permissions.Endpoints.Token);
        descriptor.Permissions.Add(Permissions.Endpoints.Revocation);
        if (isConfidential)
        {
            descriptor.Permissions.Add(Permissions.Endpoints.Introspection);
        }

        if (grants.Contains(GrantTypes.AuthorizationCode))
        {
            descriptor.Permissions.Add(Permissions.Endpoints.Authorization);
            descriptor.Permissions.Add(Permissions.Endpoints.PushedAuthorization);
            descriptor.Permissions.Add(Permissions.Endpoints.EndSession);
            descriptor.Permissions.Add(Permissions.ResponseTypes.Code);
        }

        foreach (var grant in grants)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.GrantType + grant);
        }

        foreach (var scope in scopes.Where(scope => scope != Scopes.OpenId))
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        if (requirePkce)
        {
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        }
    }

    /// <summary>The grant types a descriptor permits, in the order they were written.</summary>
    public static IReadOnlyList<string> GrantsOf(OpenIddictApplicationDescriptor descriptor) =>
        [.. descriptor.Permissions.Where(p => p.StartsWith(Permissions.Prefixes.GrantType, StringComparison.Ordinal))
            .Select(p => p[Permissions.Prefixes.GrantType.Length..])];

    /// <summary><c>openid</c> first, then the scopes a descriptor permits.</summary>
    public static IReadOnlyList<string> ScopesOf(OpenIddictApplicationDescriptor descriptor) =>
        [Scopes.OpenId, .. descriptor.Permissions.Where(p => p.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal))
            .Select(p => p[Permissions.Prefixes.Scope.Length..])];

    /// <summary>Sets a string property, or removes it when <paramref name="value"/> is null.</summary>
    public static void SetProperty(OpenIddictApplicationDescriptor descriptor, string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (value is null)
        {
            descriptor.Properties.Remove(name);
        }
        else
        {
            descriptor.Properties[name] = JsonSerializer.SerializeToElement(value);
        }
    }

    public static string? GetString(IReadOnlyDictionary<string, JsonElement> properties, string name) =>
        properties.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>True while an administrator has disabled the agency (<see cref="AgencySettings.DisabledProperty"/>).</summary>
    public static bool IsDisabled(IReadOnlyDictionary<string, JsonElement> properties) =>
        properties.TryGetValue(AgencySettings.DisabledProperty, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>
    /// Disables or enables the agency. Disabling also stamps the time before which its machine access tokens
    /// (which have no row to revoke) no longer introspect active, so enabling it again revives none of them.
    /// </summary>
    public static void SetDisabled(OpenIddictApplicationDescriptor descriptor, bool disabled, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (disabled)
        {
            descriptor.Properties[AgencySettings.DisabledProperty] = JsonSerializer.SerializeToElement(true);
            descriptor.Properties[AgencySettings.MachineTokensNotBeforeProperty] = JsonSerializer.SerializeToElement(now.ToUnixTimeSeconds());
        }
        else
        {
            descriptor.Properties.Remove(AgencySettings.DisabledProperty);
        }
    }

    /// <summary>Tokens the agency got by client_credentials before this time are no longer active (null: none stamped).</summary>
    public static DateTimeOffset? MachineTokensNotBefore(IReadOnlyDictionary<string, JsonElement> properties) =>
        properties.TryGetValue(AgencySettings.MachineTokensNotBeforeProperty, out var value) && value.TryGetInt64(out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    /// <summary>Whether the stored application is disabled; unknown applications are not (OpenIddict refuses them itself).</summary>
    public static async ValueTask<bool> IsDisabledAsync(IOpenIddictApplicationManager applications, string? clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(applications);
        if (string.IsNullOrEmpty(clientId) || await applications.FindByClientIdAsync(clientId, cancellationToken) is not { } application)
        {
            return false;
        }

        ImmutableDictionary<string, JsonElement> properties = await applications.GetPropertiesAsync(application, cancellationToken);
        return IsDisabled(properties);
    }
}
