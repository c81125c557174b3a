using System.Collections.Immutable;
using System.Text.Json;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>
/// Custom scopes (issue 5): defined by administrators in OpenIddict's scope store, each releasing some of
/// the claims OnePass holds about a citizen, kept in the scope's <see cref="ClaimsProperty"/>. Read from the
/// database on every token, userinfo and consent request (the scope manager caches entities for one request
/// only), so a change made on one node is seen at once by every node of a cluster.
/// </summary>
public sealed class ScopeClaims(IOpenIddictScopeManager scopes)
{
    /// <summary>The scope property holding the JSON array of the claims the scope releases.</summary>
    public const string ClaimsProperty = "onepass_claims";

    private static readonly IReadOnlySet<string> None = ImmutableHashSet<string>.Empty;

    /// <summary>The scopes OnePass defines itself (CONTRACT §5, issue 5); never stored, never editable.</summary>
    public static IReadOnlyList<string> BuiltIn { get; } =
        [Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.OfflineAccess, AdminApi.AdminApiServiceCollectionExtensions.Scope];

    /// <summary>The claims a custom scope may release: the ones OnePass holds about a citizen.</summary>
    public static IReadOnlyList<string> Releasable { get; } = [Claims.Name, Claims.PreferredUsername, Claims.Email, Claims.EmailVerified];

    public static bool IsBuiltIn(string scope) => BuiltIn.Contains(scope, StringComparer.Ordinal);

    /// <summary>The claims released by the custom scopes among <paramref name="granted"/>; empty when there are none.</summary>
    public async Task<IReadOnlySet<string>> ReleasedByAsync(IEnumerable<string> granted, CancellationToken cancellationToken = default)
    {
        var custom = granted.Where(scope => !IsBuiltIn(scope)).Distinct(StringComparer.Ordinal).ToImmutableArray();
        if (custom.IsEmpty)
        {
            return None;
        }

        var released = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var scope in scopes.FindByNamesAsync(custom, cancellationToken))
        {
            released.UnionWith(Read(await scopes.GetPropertiesAsync(scope, cancellationToken)));
        }

        return released;
    }

    /// <summary>The releasable claims listed in a scope's properties; anything else stored there is ignored.</summary>
    public static IReadOnlyList<string> Read(IReadOnlyDictionary<string, JsonElement> properties) =>
        properties.TryGetValue(ClaimsProperty, out var claims) && claims.ValueKind == JsonValueKind.Array
            ? [.. claims.EnumerateArray()
                .Where(claim => claim.ValueKind == JsonValueKind.String)
                .Select(claim => claim.GetString()!)
                .Where(claim => Releasable.Contains(claim, StringComparer.Ordinal))
                .Distinct(StringComparer.Ordinal)]
            : [];
}
