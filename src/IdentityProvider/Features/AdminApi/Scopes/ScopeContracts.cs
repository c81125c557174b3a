using System.Text.Json.Serialization;
using OnePass.IdentityProvider.Features.Authorization;
using Claims = OpenIddict.Abstractions.OpenIddictConstants.Claims;
using OidcScopes = OpenIddict.Abstractions.OpenIddictConstants.Scopes;

namespace OnePass.IdentityProvider.Features.AdminApi.CustomScopes;

/// <summary>
/// A scope as an administrator sees it. Built-in scopes (<c>builtIn: true</c>) are read-only and have no
/// <c>version</c>; a custom scope's <c>version</c> is sent back with a change (409 when it is stale).
/// </summary>
public sealed record ScopeView(
    string Name, string DisplayName, string Description, IReadOnlyList<string> Claims, bool BuiltIn, string? Version);

/// <summary>A page of scopes: the built-in ones first, then the custom ones by name.</summary>
public sealed record ScopeList(IReadOnlyList<ScopeView> Items, int Total, int Page, int PageSize);

/// <summary>POST /api/admin/scopes.</summary>
public sealed record CreateScopeRequest(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("displayName")] string? DisplayName,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("claims")] IReadOnlyList<string?>? Claims);

/// <summary>PUT /api/admin/scopes/{name}: the editable fields and the <c>version</c> read.</summary>
public sealed record UpdateScopeRequest(
    [property: JsonPropertyName("displayName")] string? DisplayName,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("claims")] IReadOnlyList<string?>? Claims,
    [property: JsonPropertyName("version")] string? Version);

/// <summary>A custom scope as the change log records it, before and after.</summary>
public sealed record ScopeRecord(string Name, string DisplayName, string Description, IReadOnlyList<string> Claims);

/// <summary>
/// The rules a custom scope follows (docs/admin-api.md, "Scopes"). Every message is keyed by its field as
/// named in the request body (<c>claims[1]</c> for an item), so the console shows it beside the field.
/// </summary>
public static class ScopeRules
{
    public const int MaxNameLength = 64;
    public const int MaxDisplayNameLength = 200;
    public const int MaxDescriptionLength = 500;

    /// <summary>The built-in scopes, described for administrators (the consent page has its own, translated words).</summary>
    public static IReadOnlyList<ScopeView> BuiltIn { get; } =
    [
        new(OidcScopes.OpenId, "OpenID Connect sign-in", "Sign you in with your OnePass account",
            [Claims.Subject, SessionClaims.SessionId, SessionClaims.AuthTime, SessionClaims.Acr, SessionClaims.Amr], true, null),
        new(OidcScopes.Profile, "Profile", "See your name and username", [Claims.Name, Claims.PreferredUsername], true, null),
        new(OidcScopes.Email, "E-mail address", "See your e-mail address", [Claims.Email, Claims.EmailVerified], true, null),
        new(OidcScopes.OfflineAccess, "Offline access", "Stay connected while you are away", [], true, null),
        new(AdminApiServiceCollectionExtensions.Scope, "OnePass administration",
            "Administer OnePass (granted to administrators only)", [Claims.Role], true, null),
    ];

    public static void CheckName(string? name, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength ||
            !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or ':' or '-'))
        {
            errors.Add("name", $"The name must have 1 to {MaxNameLength} lower-case letters, digits or . _ : -");
        }
        else if (ScopeClaims.IsBuiltIn(name))
        {
            errors.Add("name", $"'{name}' is a built-in scope; choose another name.");
        }
    }

    /// <summary>Checks the editable fields; returns the claims without duplicates when they are valid.</summary>
    public static IReadOnlyList<string> CheckFields(string? displayName, string? description, IReadOnlyList<string?>? claims, FieldErrors errors)
    {
        if (TextProblem(displayName, "display name", MaxDisplayNameLength) is { } displayNameProblem)
        {
            errors.Add("displayName", displayNameProblem);
        }

        if (TextProblem(description, "description", MaxDescriptionLength) is { } descriptionProblem)
        {
            errors.Add("description", descriptionProblem);
        }

        if (claims is null)
        {
            errors.Add("claims", "The claims the scope releases are required: a list, which may be empty.");
            return [];
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < claims.Count; i++)
        {
            var claim = claims[i];
            if (claim is null || !ScopeClaims.Releasable.Contains(claim, StringComparer.Ordinal))
            {
                errors.Add($"claims[{i}]",
                    $"'{claim}' is not a claim OnePass holds about a citizen; choose from {string.Join(", ", ScopeClaims.Releasable)}.");
            }
            else if (!seen.Add(claim))
            {
                errors.Add($"claims[{i}]", $"'{claim}' is listed twice.");
            }
        }

        // Kept in the order of the releasable claims, so equal lists are stored alike.
        return [.. ScopeClaims.Releasable.Where(seen.Contains)];
    }

    private static string? TextProblem(string? value, string label, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > maxLength)
        {
            return $"The {label} must have 1 to {maxLength} characters.";
        }

        // Shown to citizens as text: no control characters, and no bidirectional controls that could make
        // the consent page say something other than what is stored (CATALOGUE IN-AD-02).
        return value.Any(c => char.IsControl(c) || c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
            ? $"The {label} must not contain control or bidirectional-override characters."
            : null;
    }

    /// <summary>Field errors, in the order found.</summary>
    public sealed class FieldErrors
    {
        private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

        public int Count => _errors.Count;

        public void Add(string field, string message)
        {
            if (!_errors.TryGetValue(field, out var messages))
            {
                _errors[field] = messages = [];
            }

            messages.Add(message);
        }

        public IReadOnlyDictionary<string, string[]> ToDictionary() =>
            _errors.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray(), StringComparer.Ordinal);
    }
}
