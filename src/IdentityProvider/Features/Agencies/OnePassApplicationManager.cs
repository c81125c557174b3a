using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Features.Authorization;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.Agencies;

/// <summary>
/// OpenIddict's application manager with one addition: the secret replaced by the last rotation
/// (<see cref="AgencySettings.PreviousSecretProperty"/>, kept as OpenIddict's own hash) is still accepted
/// until <see cref="AgencySettings.PreviousSecretExpiresAtProperty"/>, so an agency can roll its new secret
/// out to every server while the old one keeps working (issue 5, "secret rotation with an overlap window").
/// After the expiry, or with no previous secret, only the current secret works. The hashing is OpenIddict's.
/// </summary>
public sealed class OnePassApplicationManager(
    IOpenIddictApplicationCache<OpenIddictEntityFrameworkCoreApplication<Guid>> cache,
    ILogger<OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication<Guid>>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication<Guid>> store,
    TimeProvider time)
    : OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication<Guid>>(cache, logger, options, store)
{
    public override async ValueTask<bool> ValidateClientSecretAsync(
        OpenIddictEntityFrameworkCoreApplication<Guid> application, string secret, CancellationToken cancellationToken = default)
    {
        if (await base.ValidateClientSecretAsync(application, secret, cancellationToken))
        {
            return true;
        }

        // The base refuses public clients; a rotation never leaves a previous secret on one, but be sure.
        if (await HasClientTypeAsync(application, ClientTypes.Public, cancellationToken))
        {
            return false;
        }

        var previous = PreviousSecret(await GetPropertiesAsync(application, cancellationToken), time.GetUtcNow());

        // The protected overload compares in constant time against OpenIddict's stored hash format.
        return previous is not null && await ValidateClientSecretAsync(secret, previous, cancellationToken);
    }

    /// <summary>The previous secret's stored hash while it is still valid at <paramref name="now"/>; otherwise null.</summary>
    public static string? PreviousSecret(ImmutableDictionary<string, JsonElement> properties, DateTimeOffset now) =>
        properties.TryGetValue(AgencySettings.PreviousSecretProperty, out var hash) && hash.ValueKind == JsonValueKind.String &&
        hash.GetString() is { Length: > 0 } value &&
        PreviousSecretExpiresAt(properties) is { } expiresAt && now < expiresAt
            ? value
            : null;

    /// <summary>When the previous secret stops working, if a rotation left one.</summary>
    public static DateTimeOffset? PreviousSecretExpiresAt(ImmutableDictionary<string, JsonElement> properties) =>
        properties.TryGetValue(AgencySettings.PreviousSecretExpiresAtProperty, out var value) && value.ValueKind == JsonValueKind.String &&
        DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var expiresAt)
            ? expiresAt
            : null;
}
