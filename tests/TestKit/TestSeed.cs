using System.Text.Json;
using System.Text.Json.Nodes;

namespace OnePass.TestKit;

/// <summary>
/// The agencies and citizens most tests use. Client secrets and passwords are test data only.
/// Two agencies on different hosts (127.0.0.1 and localhost) are in different pairwise sectors.
/// </summary>
public static class TestSeed
{
    public const string Password = "correct horse battery staple";
    public const string Citizen = "citizen1";
    public const string OtherCitizen = "citizen2";
    public const string Admin = "admin1";

    public const string TaxClient = "agency-tax";
    public const string TaxSecret = "tax-secret-0123456789-0123456789-abcdef";
    public const string TaxRedirect = "http://127.0.0.1:7001/signin-oidc";
    public const string TaxSecondRedirect = "http://127.0.0.1:7001/other-callback";
    public const string TaxPostLogout = "http://127.0.0.1:7001/signout-callback-oidc";

    public const string HealthClient = "agency-health";
    public const string HealthSecret = "health-secret-0123456789-0123456789-abc";
    public const string HealthRedirect = "http://localhost:7002/signin-oidc";
    public const string HealthPostLogout = "http://localhost:7002/signout-callback-oidc";

    public const string PublicClient = "citizen-app";
    public const string PublicRedirect = "http://127.0.0.1:7003/callback";

    public const string MachineClient = "agency-batch";
    public const string MachineSecret = "batch-secret-0123456789-0123456789-abcd";

    public const string LegacyClient = "agency-legacy";
    public const string LegacySecret = "legacy-secret-0123456789-0123456789-abc";
    public const string LegacyRedirect = "http://127.0.0.1:7004/signin-oidc";

    public const string StrictClient = "agency-strict";
    public const string StrictSecret = "strict-secret-0123456789-0123456789-abc";
    public const string StrictRedirect = "http://127.0.0.1:7005/signin-oidc";

    /// <summary>The default seed as a JSON object that tests may extend before the host starts.</summary>
    public static JsonObject Create() => new()
    {
        ["clients"] = new JsonArray
        {
            Client(TaxClient, TaxSecret, "National Tax Service", [TaxRedirect, TaxSecondRedirect], [TaxPostLogout], "explicit",
                ["authorization_code", "refresh_token"], ["openid", "profile", "email", "offline_access"]),
            Client(HealthClient, HealthSecret, "National Health Insurance", [HealthRedirect], [HealthPostLogout], "implicit",
                ["authorization_code", "refresh_token"], ["openid", "profile", "email", "offline_access"]),
            Client(PublicClient, null, "Citizen App", [PublicRedirect], [], "explicit",
                ["authorization_code", "refresh_token"], ["openid", "profile", "offline_access"]),
            Client(MachineClient, MachineSecret, "Batch Service", [], [], "implicit", ["client_credentials"], ["openid", "profile"]),
            Client(LegacyClient, LegacySecret, "Legacy Agency", [LegacyRedirect], [], "implicit", ["authorization_code"], ["openid", "profile"],
                requirePkce: false, subjectType: "public"),
            Client(StrictClient, StrictSecret, "Strict Agency", [StrictRedirect], [], "implicit", ["authorization_code"], ["openid"],
                minimumAcr: "urn:onepass:loa:2"),
        },
        ["users"] = new JsonArray
        {
            User(Citizen, "c1@example.test", "Kim Citizen"),
            User(OtherCitizen, "c2@example.test", "Lee Citizen"),
            User(Admin, "admin@example.test", "Park Admin", "admin"),
        },
    };

    public static JsonObject Client(
        string clientId, string? secret, string displayName, string[] redirectUris, string[] postLogoutRedirectUris,
        string consent, string[] grantTypes, string[] scopes, bool requirePkce = true, string subjectType = "pairwise",
        string? minimumAcr = null) => new()
    {
        ["clientId"] = clientId,
        ["clientSecret"] = secret,
        ["displayName"] = displayName,
        ["redirectUris"] = new JsonArray([.. redirectUris.Select(uri => JsonValue.Create(uri))]),
        ["postLogoutRedirectUris"] = new JsonArray([.. postLogoutRedirectUris.Select(uri => JsonValue.Create(uri))]),
        ["grantTypes"] = new JsonArray([.. grantTypes.Select(grant => JsonValue.Create(grant))]),
        ["scopes"] = new JsonArray([.. scopes.Select(scope => JsonValue.Create(scope))]),
        ["consent"] = consent,
        ["subjectType"] = subjectType,
        ["requirePkce"] = requirePkce,
        ["minimumAcr"] = minimumAcr,
    };

    public static JsonObject User(string username, string email, string name, params string[] roles) => new()
    {
        ["username"] = username,
        ["password"] = Password,
        ["email"] = email,
        ["emailConfirmed"] = true,
        ["name"] = name,
        ["roles"] = new JsonArray([.. roles.Select(role => JsonValue.Create(role))]),
    };

    public static string Write(JsonObject seed, string directory)
    {
        var path = Path.Combine(directory, "seed.json");
        File.WriteAllText(path, seed.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
