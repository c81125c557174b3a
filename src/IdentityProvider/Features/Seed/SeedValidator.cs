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
    public const int MaximumDisplayNameLength = 200;

    private static readonly HashSet<string> KnownGrants = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken, GrantTypes.ClientCredentials];
    private static readonly HashSet<string> KnownScopes = [Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.OfflineAccess];
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

            if (user.Password is not null && PasswordProblem(user.Password, user.Username) is { } problem)
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

            if (string.IsNullOrWhiteSpace(client.ClientId) || client.ClientId.Length > 100 ||
                !client.ClientId.All(c => char.IsAsciiLetterOrDigit(c) || "-._:".Contains(c, StringComparison.Ordinal)))
            {
                Error("'clientId' is required: 1 to 100 letters, digits or - . _ :.");
                continue;
            }

            if (!clientIds.Add(client.ClientId))
            {
                Error("the clientId appears more than once.");
            }

            if (usernames.Contains(client.ClientId))
            {
                Error("the clientId is also a username; choose another.");
            }

            if (client.ClientSecret is not null && client.ClientSecret.Length < MinimumSecretLength)
            {
                Error($"'clientSecret' must be at least {MinimumSecretLength} characters.");
            }

            if (client.DisplayName is { Length: > MaximumDisplayNameLength })
            {
                Error($"'displayName' is longer than {MaximumDisplayNameLength} characters.");
            }

            if (client.GrantTypes.Count == 0)
            {
                Error("'grantTypes' needs at least one grant.");
            }

            foreach (var grant in client.GrantTypes.Where(grant => !KnownGrants.Contains(grant)))
            {
                Error($"unknown grant type '{grant}' (allowed: {string.Join(", ", KnownGrants)}).");
            }

            foreach (var scope in client.Scopes.Where(scope => !KnownScopes.Contains(scope)))
            {
                Error($"unknown scope '{scope}' (allowed: {string.Join(", ", KnownScopes)}).");
            }

            var isPublic = client.ClientSecret is null && client.Jwks is null;
            var usesCode = client.GrantTypes.Contains(GrantTypes.AuthorizationCode);
            if (client.ClientSecret is not null && client.Jwks is not null)
            {
                Error("give either 'clientSecret' or 'jwks', not both.");
            }

            if (isPublic && client.GrantTypes.Contains(GrantTypes.ClientCredentials))
            {
                Error("a public client (no clientSecret, no jwks) cannot use client_credentials.");
            }

            if (isPublic && !client.RequirePkce)
            {
                Error("a public client must require PKCE.");
            }

            if (client.GrantTypes.Contains(GrantTypes.RefreshToken) && !usesCode)
            {
                Error("refresh_token needs authorization_code.");
            }

            if (usesCode && client.RedirectUris.Count == 0)
            {
                Error("authorization_code needs at least one redirect URI.");
            }

            if (client.Consent is not ("explicit" or "implicit"))
            {
                Error("'consent' must be 'explicit' or 'implicit'.");
            }

            if (client.SubjectType is not (SubjectTypes.Pairwise or SubjectTypes.Public))
            {
                Error("'subjectType' must be 'pairwise' or 'public'.");
            }

            if (client.MinimumAcr is not null && AssuranceLevels.Rank(client.MinimumAcr) == 0)
            {
                Error($"'minimumAcr' must be one of {string.Join(", ", AssuranceLevels.All)}.");
            }

            foreach (var (list, field) in new[] { (client.RedirectUris, "redirectUris"), (client.PostLogoutRedirectUris, "postLogoutRedirectUris") })
            {
                foreach (var uri in list)
                {
                    if (AgencyUriRules.Check(uri, requireHttps) is { } problem)
                    {
                        Error($"'{field}' entry '{uri}' {problem}.");
                    }
                }

                if (list.Distinct(StringComparer.Ordinal).Count() != list.Count)
                {
                    Error($"'{field}' lists the same URI twice.");
                }
            }

            foreach (var (uri, field) in new[] { (client.FrontchannelLogoutUri, "frontchannelLogoutUri"), (client.BackchannelLogoutUri, "backchannelLogoutUri"), (client.SectorIdentifier, "sectorIdentifier") })
            {
                if (uri is not null && AgencyUriRules.Check(uri, requireHttps) is { } problem)
                {
                    Error($"'{field}' '{uri}' {problem}.");
                }
            }

            if (client.SubjectType == SubjectTypes.Pairwise && client.SectorIdentifier is null &&
                client.RedirectUris.Select(u => Uri.TryCreate(u, UriKind.Absolute, out var parsed) ? parsed.Host : u)
                    .Distinct(StringComparer.OrdinalIgnoreCase).Count() > 1)
            {
                Error("redirect URIs on several hosts need a 'sectorIdentifier' (OpenID Connect Core §8.1).");
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

    /// <summary>The seed applies the same password policy as any other sign-up (NIST SP 800-63B).</summary>
    public static string? PasswordProblem(string password, string username)
    {
        if (password.Length < PasswordRules.MinimumLength)
        {
            return $"must be at least {PasswordRules.MinimumLength} characters";
        }

        if (password.Length > PasswordRules.MaximumLength)
        {
            return $"must be at most {PasswordRules.MaximumLength} characters";
        }

        if (password.Contains(username, StringComparison.OrdinalIgnoreCase))
        {
            return "must not contain the username";
        }

        return password.Contains("onepass", StringComparison.OrdinalIgnoreCase) ? "must not contain \"onepass\"" : null;
    }

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
