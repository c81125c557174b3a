using System.Text.Json;

namespace OnePass.AdminConsole.Tests;

/// <summary>Canned admin API JSON, in the shapes of docs/admin-api.md.</summary>
public static class Samples
{
    public const string Version = "v1-3fa1";

    public static string Agency(string clientId = "agency-tax", string displayName = "National Tax Service", string clientType = "confidential",
        bool enabled = true, string version = Version) => JsonSerializer.Serialize(new
        {
            clientId,
            displayName,
            clientType,
            enabled,
            contactEmail = "it@tax.example",
            logoUrl = (string?)null,
            redirectUris = new[] { "https://tax.example/signin-oidc" },
            postLogoutRedirectUris = new[] { "https://tax.example/signout-callback-oidc" },
            frontchannelLogoutUri = (string?)null,
            backchannelLogoutUri = "https://tax.example/bcl",
            grantTypes = new[] { "authorization_code", "refresh_token" },
            scopes = new[] { "openid", "profile", "email" },
            requirePkce = true,
            consent = "explicit",
            subjectType = "pairwise",
            sectorIdentifier = (string?)null,
            minimumAcr = "urn:onepass:loa:2",
            secret = clientType == "confidential" ? new { rotatedAt = "2026-11-27T05:00:00Z", previousSecretExpiresAt = (string?)null } : null,
            version,
        });

    public static string AgencyPage(params string[] agencies) =>
        $$"""{"items":[{{string.Join(',', agencies)}}],"total":{{agencies.Length}},"page":1,"pageSize":50}""";

    public const string Scopes = """
        {"items":[
          {"name":"openid","displayName":"Sign-in","description":"Sign you in","claims":[],"builtIn":true,"version":"s0"},
          {"name":"profile","displayName":"Profile","description":"Your name","claims":["name","preferred_username"],"builtIn":true,"version":"s0"},
          {"name":"email","displayName":"E-mail","description":"Your e-mail address","claims":["email","email_verified"],"builtIn":true,"version":"s0"},
          {"name":"tax.read","displayName":"Tax records","description":"Read your tax records","claims":["name"],"builtIn":false,"version":"s1"}
        ],"total":4,"page":1,"pageSize":50}
        """;

    public const string CustomScope = """{"name":"tax.read","displayName":"Tax records","description":"Read your tax records","claims":["name"],"builtIn":false,"version":"s1"}""";
}
