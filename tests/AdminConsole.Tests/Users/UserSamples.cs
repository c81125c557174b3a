using System.Text.Json;

namespace OnePass.AdminConsole.Tests.Users;

/// <summary>Canned users of the admin API, in the shapes of src/IdentityProvider/Features/AdminApi/Users.</summary>
public static class UserSamples
{
    public const string Id = "5d3f2a9e-7c1b-4e2a-9a51-0b6f0c3d8e11";
    public const string Version = "u-7";
    public const string SessionId = "s_2b7f3c9d1e4a";

    public static string Summary(string username = "citizen", string status = "active", string? name = "Chris Citizen") => JsonSerializer.Serialize(new
    {
        id = Id,
        username,
        email = "chris@example.test",
        emailConfirmed = true,
        name,
        status,
        lockedUntil = (string?)null,
        failedAttempts = 0,
        roles = Array.Empty<string>(),
        version = Version,
    });

    public static string Page(params string[] users) =>
        $$"""{"items":[{{string.Join(',', users)}}],"total":{{users.Length}},"page":1,"pageSize":50}""";

    public static string Detail(string username = "citizen", string status = "active", string? name = "Chris Citizen",
        string consentAgency = "National Tax Service", string userAgent = "Firefox/140", string passkeyName = "Work laptop") => JsonSerializer.Serialize(new
    {
        id = Id,
        username,
        email = "chris@example.test",
        emailConfirmed = true,
        name,
        status,
        lockedUntil = status == "locked" ? "2026-11-27T06:00:00+00:00" : null,
        failedAttempts = status == "locked" ? 5 : 0,
        roles = new[] { "citizen" },
        methods = new
        {
            password = true,
            totp = new { enrolled = true, lockedUntil = (string?)null },
            passkeys = new[] { new { id = "0f8e7d6c-5b4a-4392-8171-605f4e3d2c1b", name = passkeyName, createdAt = "2026-11-01T09:00:00+00:00", lastUsedAt = (string?)"2026-11-26T08:15:00+00:00" } },
            recoveryCodesLeft = 7,
        },
        sessions = new[]
        {
            new
            {
                id = SessionId, createdAt = "2026-11-27T04:00:00+00:00", lastSeenAt = "2026-11-27T04:30:00+00:00", expiresAt = "2026-11-27T12:00:00+00:00",
                userAgent, ipAddress = "203.0.113.7", agencies = new[] { "agency-tax" },
            },
        },
        consents = new[] { new { id = "auth-1", clientId = "agency-tax", displayName = consentAgency, scopes = new[] { "openid", "profile" }, createdAt = "2026-10-02T10:00:00+00:00" } },
        recentSignIns = new[]
        {
            new { time = "2026-11-27T04:00:00+00:00", method = "pwd", outcome = "success", clientId = "agency-tax", ipAddress = "203.0.113.7", userAgent },
            new { time = "2026-11-27T03:59:00+00:00", method = "otp", outcome = "failure", clientId = "agency-tax", ipAddress = "203.0.113.7", userAgent },
        },
        version = Version,
    });

    public const string StaleVersion =
        """{"error":"conflict","error_description":"The user was changed since you read it (the version differs); nothing was changed. Read it again."}""";
}
