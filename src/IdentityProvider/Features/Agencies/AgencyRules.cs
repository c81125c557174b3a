using OnePass.IdentityProvider.Features.Authorization;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.Agencies;

/// <summary>
/// An agency registration as the rules see it, whether it comes from the seed file (CONTRACT §3) or the
/// admin API (issue 5). Lists may hold nulls (JSON <c>[null]</c>); they are reported, not thrown on.
/// </summary>
public sealed record AgencyDraft
{
    public string? DisplayName { get; init; }

    /// <summary>The seed falls back to the client id when no display name is given; the admin API asks for one.</summary>
    public bool DisplayNameRequired { get; init; }

    public bool IsPublic { get; init; }

    public IReadOnlyList<string?> RedirectUris { get; init; } = [];

    public IReadOnlyList<string?> PostLogoutRedirectUris { get; init; } = [];

    public string? FrontchannelLogoutUri { get; init; }

    public string? BackchannelLogoutUri { get; init; }

    public string? SectorIdentifier { get; init; }

    public IReadOnlyList<string?> GrantTypes { get; init; } = [];

    public IReadOnlyList<string?> Scopes { get; init; } = [];

    public string? Consent { get; init; }

    public string? SubjectType { get; init; }

    public bool RequirePkce { get; init; }

    public string? MinimumAcr { get; init; }

    public string? ContactEmail { get; init; }
}

/// <summary>One broken rule: the field as named in the request or seed entry (<c>redirectUris[1]</c> for an item) and what is wrong.</summary>
public sealed record AgencyProblem(string Field, string Message);

/// <summary>
/// The rules every agency registration obeys, one implementation for the seed file and the admin API
/// (RFC 9700 §2.1, §4.1.3; OIDC Core §8.1; CATALOGUE IN-AD-01, IN-AD-02, IN-AD-04, IN-AD-05). Messages
/// complete a sentence about the entry: the seed prefixes the entry's name, the API shows them per field.
/// </summary>
public static class AgencyRules
{
    public const int MaximumClientIdLength = 100;
    public const int MaximumDisplayNameLength = 200;
    public const int MaximumContactEmailLength = 256;

    public static IReadOnlyList<string> Grants { get; } = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken, GrantTypes.ClientCredentials];

    /// <summary>1 to 100 ASCII letters, digits or <c>- . _ :</c>.</summary>
    public static bool IsClientId(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= MaximumClientIdLength &&
        value.All(c => char.IsAsciiLetterOrDigit(c) || "-._:".Contains(c, StringComparison.Ordinal));

    public static string ClientIdRule => $"'clientId' is required: 1 to {MaximumClientIdLength} letters, digits or - . _ :";

    /// <summary>
    /// Control characters, the bidirectional embedding, override and isolate characters (U+202A–U+202E,
    /// U+2066–U+2069) and the direction marks (U+200E, U+200F, U+061C) let a name show something other than
    /// what it holds (CATALOGUE IN-AD-02).
    /// </summary>
    public static bool HasControlOrBidiOverride(string value) =>
        value.Any(c => char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F' or '\u061C');

    /// <summary>The problems of a registration, the client id excepted (see <see cref="IsClientId"/>).</summary>
    /// <param name="knownScopes">Every scope the agency may be given; null when the caller checks scopes itself.</param>
    /// <param name="requireHttps">OnePass__RequireHttps: https everywhere, no loopback.</param>
    /// <param name="refusePrivateLogoutAddresses">In Production: logout URIs OnePass calls never go to private or loopback addresses.</param>
    public static IReadOnlyList<AgencyProblem> Check(AgencyDraft draft, IReadOnlySet<string>? knownScopes, bool requireHttps, bool refusePrivateLogoutAddresses)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var problems = new List<AgencyProblem>();
        void Add(string field, string message) => problems.Add(new AgencyProblem(field, message));

        CheckDisplayName(draft, Add);
        CheckContactEmail(draft, Add);
        if (ListProblem(draft.GrantTypes, "grantTypes", Add) | ListProblem(draft.Scopes, "scopes", Add) |
            ListProblem(draft.RedirectUris, "redirectUris", Add) | ListProblem(draft.PostLogoutRedirectUris, "postLogoutRedirectUris", Add))
        {
            return problems;
        }

        var grants = draft.GrantTypes.OfType<string>().ToList();
        if (grants.Count == 0)
        {
            Add("grantTypes", "'grantTypes' needs at least one grant");
        }

        foreach (var grant in grants.Where(grant => !Grants.Contains(grant)))
        {
            Add("grantTypes", $"unknown grant type '{grant}' (allowed: {string.Join(", ", Grants)})");
        }

        foreach (var scope in draft.Scopes.OfType<string>().Where(scope => knownScopes is not null && !knownScopes.Contains(scope)))
        {
            Add("scopes", $"unknown scope '{scope}' (allowed: {string.Join(", ", knownScopes!.Order(StringComparer.Ordinal))})");
        }

        var usesCode = grants.Contains(GrantTypes.AuthorizationCode);
        if (draft.IsPublic && grants.Contains(GrantTypes.ClientCredentials))
        {
            Add("grantTypes", "a public client cannot use client_credentials");
        }

        if (draft.IsPublic && !draft.RequirePkce)
        {
            Add("requirePkce", "a public client must require PKCE");
        }

        if (grants.Contains(GrantTypes.RefreshToken) && !usesCode)
        {
            Add("grantTypes", "refresh_token needs authorization_code");
        }

        if (usesCode && draft.RedirectUris.Count == 0)
        {
            Add("redirectUris", "authorization_code needs at least one redirect URI");
        }

        if (draft.Consent is not ("explicit" or "implicit"))
        {
            Add("consent", "'consent' must be 'explicit' or 'implicit'");
        }

        if (draft.SubjectType is not (SubjectTypes.Pairwise or SubjectTypes.Public))
        {
            Add("subjectType", "'subjectType' must be 'pairwise' or 'public'");
        }

        if (draft.MinimumAcr is not null && AssuranceLevels.Rank(draft.MinimumAcr) == 0)
        {
            Add("minimumAcr", $"'minimumAcr' must be one of {string.Join(", ", AssuranceLevels.All)}");
        }

        CheckUris(draft, requireHttps, refusePrivateLogoutAddresses, Add);
        return problems;
    }

    /// <summary>OIDC Core §8.1: the sector is the host of the sector identifier URI, else of the (first) redirect URI, else the client id.</summary>
    public static string Sector(string clientId, string? sectorIdentifier, IEnumerable<string> redirectUris)
    {
        var source = sectorIdentifier ?? redirectUris.FirstOrDefault();
        return source is null ? clientId : new Uri(source, UriKind.Absolute).Host.ToLowerInvariant();
    }

    private static void CheckDisplayName(AgencyDraft draft, Action<string, string> add)
    {
        if (draft.DisplayName is null || draft.DisplayName.Length == 0)
        {
            if (draft.DisplayNameRequired)
            {
                add("displayName", $"'displayName' is required: 1 to {MaximumDisplayNameLength} characters");
            }

            return;
        }

        if (draft.DisplayName.Length > MaximumDisplayNameLength)
        {
            add("displayName", $"'displayName' is longer than {MaximumDisplayNameLength} characters");
        }
        else if (string.IsNullOrWhiteSpace(draft.DisplayName))
        {
            add("displayName", "'displayName' must not be blank");
        }
        else if (HasControlOrBidiOverride(draft.DisplayName))
        {
            add("displayName", "'displayName' must not contain control or bidirectional-override characters");
        }
    }

    private static void CheckContactEmail(AgencyDraft draft, Action<string, string> add)
    {
        if (draft.ContactEmail is { } email &&
            (email.Length > MaximumContactEmailLength || !System.Net.Mail.MailAddress.TryCreate(email, out var parsed) ||
             parsed.Address != email || HasControlOrBidiOverride(email)))
        {
            add("contactEmail", "'contactEmail' is not an e-mail address");
        }
    }

    private static bool ListProblem(IReadOnlyList<string?>? list, string field, Action<string, string> add)
    {
        if (list is null || list.Any(item => item is null))
        {
            add(field, $"'{field}' must be a list of strings");
            return true;
        }

        return false;
    }

    private static void CheckUris(AgencyDraft draft, bool requireHttps, bool refusePrivateLogoutAddresses, Action<string, string> add)
    {
        foreach (var (list, field) in new[] { (draft.RedirectUris, "redirectUris"), (draft.PostLogoutRedirectUris, "postLogoutRedirectUris") })
        {
            for (var index = 0; index < list.Count; index++)
            {
                if (AgencyUriRules.Check(list[index], requireHttps) is { } problem)
                {
                    add($"{field}[{index}]", $"'{field}' entry '{list[index]}' {problem}");
                }
            }

            if (list.Distinct(StringComparer.Ordinal).Count() != list.Count)
            {
                add(field, $"'{field}' lists the same URI twice");
            }
        }

        foreach (var (uri, field, refusePrivate) in new[]
                 {
                     (draft.FrontchannelLogoutUri, "frontchannelLogoutUri", refusePrivateLogoutAddresses),
                     (draft.BackchannelLogoutUri, "backchannelLogoutUri", refusePrivateLogoutAddresses),
                     (draft.SectorIdentifier, "sectorIdentifier", false),
                 })
        {
            if (uri is not null && AgencyUriRules.Check(uri, requireHttps, refusePrivate) is { } problem)
            {
                add(field, $"'{field}' '{uri}' {problem}");
            }
        }

        if (draft.SubjectType == SubjectTypes.Pairwise && draft.SectorIdentifier is null &&
            draft.RedirectUris.Select(u => Uri.TryCreate(u, UriKind.Absolute, out var parsed) ? parsed.Host : u)
                .Distinct(StringComparer.OrdinalIgnoreCase).Count() > 1)
        {
            add("sectorIdentifier", "redirect URIs on several hosts need a 'sectorIdentifier' (OpenID Connect Core §8.1)");
        }
    }
}
