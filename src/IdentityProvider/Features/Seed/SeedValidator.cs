using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using OnePass.IdentityProvider.Features.Account;
using OnePass.IdentityProvider.Features.Agencies;
using OnePass.IdentityProvider.Features.Authorization;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.Seed;

/// <summary>
/// Checks a whole seed file before anything is written, so a malformed file changes nothing and the
/// message names the bad entry (CONTRACT §3, CATALOGUE IN-AD-08).
/// </summary>
public static class SeedValidator
{
    public const int MinimumSecretLength = 32;
    public const int MaximumDisplayNameLength = AgencyRules.MaximumDisplayNameLength;

    private static readonly string[] PrivateJwkMembers = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

    public static IReadOnlyList<string> Validate(SeedFile seed, bool requireHttps)
    {
        var errors = new List<string>();
        var clientIds = new HashSet<string>(StringComparer.Ordinal);
        var usernames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (NullEntries(seed, errors))
        {
            return errors;
        }

        foreach (var (user, index) in seed.Users.Select((u, i) => (u, i)))
        {
            var name = $"users[{index}] ({user.Username ?? "no username"})";
            if (string.IsNullOrWhiteSpace(user.Username) || user.Username.Length > 256 ||
                !user.Username.All(c => char.IsAsciiLetterOrDigit(c) || "-._@+".Contains(c, StringComparison.Ordinal)))
            {
                errors.Add($"{name}: 'username' is required: 1 to 256 letters, digits or - . _ @ +.");
                continue;
            }

            if (!usernames.Add(user.Username))
            {
                errors.Add($"{name}: the username appears more than once.");
            }

            if (user.Password is not null && PasswordProblem(user.Password, user.Username, user.Email) is { } problem)
            {
                errors.Add($"{name}: 'password' {problem}.");
            }

            if (user.Email is not null && (user.Email.Length > 256 || !System.Net.Mail.MailAddress.TryCreate(user.Email, out _)))
            {
                errors.Add($"{name}: 'email' is not an e-mail address.");
            }

            if (user.Name is { Length: > MaximumDisplayNameLength })
            {
                errors.Add($"{name}: 'name' is longer than {MaximumDisplayNameLength} characters.");
            }

            if (user.Roles.Any(role => string.IsNullOrWhiteSpace(role) || role.Length > 64))
            {
                errors.Add($"{name}: every role must be 1 to 64 characters.");
            }

            if (user.TotpSecret is not null && !IsBase32(user.TotpSecret))
            {
                errors.Add($"{name}: 'totpSecret' must be Base32 (A-Z, 2-7), at least 16 characters.");
            }
        }

        foreach (var (client, index) in seed.Clients.Select((c, i) => (c, i)))
        {
            var name = $"clients[{index}] ({client.ClientId ?? "no clientId"})";
            void Error(string message) => errors.Add($"{name}: {message}");

            if (!AgencyRules.IsClientId(client.ClientId))
            {
                Error(AgencyRules.ClientIdRule + ".");
                continue;
            }

            if (!clientIds.Add(client.ClientId!))
            {
                Error("the clientId appears more than once.");
            }

            if (usernames.Contains(client.ClientId!))
            {
                Error("the clientId is also a username; choose another.");
            }

            if (client.ClientSecret is not null && client.ClientSecret.Length < MinimumSecretLength)
            {
                Error($"'clientSecret' must be at least {MinimumSecretLength} characters.");
            }

            if (client.ClientSecret is not null && client.Jwks is not null)
            {
                Error("give either 'clientSecret' or 'jwks', not both.");
            }

            // The rules shared with the admin API (scopes are checked against the database by SeedApplier);
            // a public client is one with neither a secret nor a JWK Set.
            foreach (var problem in AgencyRules.Check(ToDraft(client), knownScopes: null, requireHttps, refusePrivateLogoutAddresses: false))
            {
                Error(problem.Message + ".");
            }

            if (client.Jwks is { } jwks && JwksProblem(jwks) is { } jwksProblem)
            {
                Error($"'jwks' {jwksProblem}.");
            }
        }

        return errors;
    }

    // JSON null where an object or a list is expected ("clients": [null], "redirectUris": null) is
    // reported by name rather than failing later; a null list counts as an error, not as empty.
    private static bool NullEntries(SeedFile seed, List<string> errors)
    {
        if (seed.Clients is null || seed.Users is null)
        {
            errors.Add("'clients' and 'users' must be lists when present.");
            return true;
        }

        foreach (var (client, index) in seed.Clients.Select((c, i) => (c, i)))
        {
            if (client is null)
            {
                errors.Add($"clients[{index}]: is null.");
                continue;
            }

            foreach (var (list, field) in new (IList<string>?, string)[]
                     {
                         (client.RedirectUris, "redirectUris"), (client.PostLogoutRedirectUris, "postLogoutRedirectUris"),
                         (client.GrantTypes, "grantTypes"), (client.Scopes, "scopes"),
                     })
            {
                if (list is null || list.Any(item => item is null))
                {
                    errors.Add($"clients[{index}] ({client.ClientId ?? "no clientId"}): '{field}' must be a list of strings.");
                }
            }

            if (client.Consent is null || client.SubjectType is null)
            {
                errors.Add($"clients[{index}] ({client.ClientId ?? "no clientId"}): 'consent' and 'subjectType' cannot be null.");
            }
        }

        foreach (var (user, index) in seed.Users.Select((u, i) => (u, i)))
        {
            if (user is null)
            {
                errors.Add($"users[{index}]: is null.");
            }
            else if (user.Roles is null || user.Roles.Any(role => role is null))
            {
                errors.Add($"users[{index}] ({user.Username ?? "no username"}): 'roles' must be a list of strings.");
            }
        }

        return errors.Count > 0;
    }

    private static AgencyDraft ToDraft(SeedClient client) => new()
    {
        DisplayName = client.DisplayName,
        IsPublic = client.ClientSecret is null && client.Jwks is null,
        RedirectUris = client.RedirectUris,
        PostLogoutRedirectUris = client.PostLogoutRedirectUris,
        FrontchannelLogoutUri = client.FrontchannelLogoutUri,
        BackchannelLogoutUri = client.BackchannelLogoutUri,
        SectorIdentifier = client.SectorIdentifier,
        GrantTypes = client.GrantTypes,
        Scopes = client.Scopes,
        Consent = client.Consent,
        SubjectType = client.SubjectType,
        RequirePkce = client.RequirePkce,
        MinimumAcr = client.MinimumAcr,
    };

    /// <summary>
    /// The seed and <c>users create</c> apply the one password policy (<see cref="PasswordPolicy"/>: NIST SP 800-63B
    /// length, username, e-mail, "onepass" and the blocklist); the first broken rule, e.g. "must be at least 15
    /// characters long", or null.
    /// </summary>
    public static string? PasswordProblem(string password, string username, string? email = null) =>
        PasswordPolicy.Check(password, username, email) is [var first, ..] ? first.Rule : null;

    private static bool IsBase32(string value) =>
        value.Length >= 16 && value.TrimEnd('=').All(c => c is >= 'A' and <= 'Z' or >= '2' and <= '7');

    private static string? JwksProblem(JsonElement jwks)
    {
        try
        {
            if (jwks.ValueKind != JsonValueKind.Object || !jwks.TryGetProperty("keys", out var keys) ||
                keys.ValueKind != JsonValueKind.Array || keys.GetArrayLength() == 0)
            {
                return "must be a JWK Set with a non-empty 'keys' array";
            }

            foreach (var key in keys.EnumerateArray())
            {
                if (PrivateJwkMembers.Any(member => key.TryGetProperty(member, out _)))
                {
                    return "must hold public keys only (no private or symmetric members)";
                }
            }

            var set = new JsonWebKeySet(jwks.GetRawText());
            return set.Keys.Count == 0 ? "has no usable key" : null;
        }
        catch (ArgumentException exception)
        {
            return "is not a valid JWK Set: " + exception.Message;
        }
    }
}
