using System.Text.Json;

namespace OnePass.AdminConsole.Tests.Audit;

/// <summary>Canned audit answers of the admin API, in the shapes of src/IdentityProvider/Features/AdminApi/Audit.</summary>
public static class AuditSamples
{
    public const string UserId = "5d3f2a9e-7c1b-4e2a-9a51-0b6f0c3d8e11";

    public static string SignIn(string time = "2026-11-27T04:00:00+00:00", string username = "citizen", string method = "pwd", string outcome = "success",
        string? clientId = "agency-tax", string? userAgent = "Firefox/140") => JsonSerializer.Serialize(new
    {
        id = Guid.NewGuid(),
        time,
        userId = UserId,
        username,
        method,
        outcome,
        clientId,
        ipAddress = "203.0.113.7",
        userAgent,
    });

    public static string Change(object? before, object? after, string action = "agency.update", string targetType = "agency", string targetId = "agency-tax") =>
        JsonSerializer.Serialize(new
        {
            id = Guid.NewGuid(),
            time = "2026-11-27T04:05:00+00:00",
            actorId = "9b1c7e4d-2f3a-4b5c-8d6e-7f8091a2b3c4",
            actorName = "admin",
            action,
            targetType,
            targetId,
            before,
            after,
            ipAddress = "198.51.100.4",
        });

    public static string Page(params string[] items) =>
        $$"""{"items":[{{string.Join(',', items)}}],"total":{{items.Length}},"page":1,"pageSize":50}""";

    public const string Retention = """{"days":400,"version":"r-1"}""";
}
