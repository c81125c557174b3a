using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.Agencies;

/// <summary>Calls on <c>/api/admin/agencies</c> as the seeded administrator, and what the tests check afterwards.</summary>
public static class AgencyApi
{
    public const string Path = "/api/admin/agencies";

    /// <summary>A client id no other test uses (the tests of one class share a host).</summary>
    public static string UniqueClientId(string prefix) => AdminApiHost.UniqueClientId(prefix);

    /// <summary>A loopback redirect URI of its own for each agency.</summary>
    public static string RedirectUri(string clientId) => $"http://127.0.0.1:7020/{clientId}/signin-oidc";

    /// <summary>A valid registration body: code flow (plus refresh), PKCE, implicit consent, scopes openid and profile.</summary>
    public static JsonObject Body(string clientId, string clientType = "confidential") => new()
    {
        ["clientId"] = clientId,
        ["clientType"] = clientType,
        ["displayName"] = "Land Registry",
        ["contactEmail"] = "it@land.example.test",
        ["redirectUris"] = new JsonArray(RedirectUri(clientId)),
        ["postLogoutRedirectUris"] = new JsonArray($"http://127.0.0.1:7020/{clientId}/signout-callback-oidc"),
        ["frontchannelLogoutUri"] = null,
        ["backchannelLogoutUri"] = $"http://127.0.0.1:7020/{clientId}/bcl",
        ["grantTypes"] = new JsonArray("authorization_code", "refresh_token"),
        ["scopes"] = new JsonArray("openid", "profile"),
        ["requirePkce"] = true,
        ["consent"] = "implicit",
        ["subjectType"] = "pairwise",
        ["sectorIdentifier"] = null,
        ["minimumAcr"] = null,
    };

    /// <summary>A PUT body from a read agency: its editable fields and version, without client id and type.</summary>
    public static JsonObject EditBody(JsonElement agency)
    {
        var body = JsonNode.Parse(agency.GetRawText())!.AsObject();
        foreach (var readOnly in new[] { "clientId", "clientType", "enabled", "logoUrl", "secret", "clientSecret" })
        {
            body.Remove(readOnly);
        }

        return body;
    }

    /// <summary>Registers an agency; the answer is a 201.</summary>
    public static async Task<JsonElement> CreateAsync(AdminApiHost fixture, JsonObject body)
    {
        var response = await fixture.SendAsAdminAsync(HttpMethod.Post, Path, body);
        Assert.True(response.Status == HttpStatusCode.Created, response.Body);
        return response.Json.Clone();
    }

    public static Task<ProtocolResponse> GetAsync(AdminApiHost fixture, string clientId) =>
        fixture.GetAsAdminAsync($"{Path}/{Uri.EscapeDataString(clientId)}");

    public static async Task<JsonElement> ReadAsync(AdminApiHost fixture, string clientId)
    {
        var response = await GetAsync(fixture, clientId);
        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
        return response.Json.Clone();
    }

    public static string Version(JsonElement agency) => agency.GetProperty("version").GetString()!;

    public static Task<ProtocolResponse> SetEnabledAsync(AdminApiHost fixture, string clientId, bool enabled, string version) =>
        fixture.SendAsAdminAsync(HttpMethod.Post, $"{Path}/{Uri.EscapeDataString(clientId)}/{(enabled ? "enable" : "disable")}",
            new JsonObject { ["version"] = version });

    /// <summary>The admin changes recorded for one agency, oldest first.</summary>
    public static Task<List<AdminChange>> ChangesAsync(AdminApiHost fixture, string clientId) => fixture.Host.WithDatabaseAsync(async db =>
        (await db.AdminChanges.AsNoTracking().Where(c => c.TargetType == "agency" && c.TargetId == clientId).ToListAsync())
            .OrderBy(c => c.Time).ToList());

    /// <summary>The one field error of a 400 answer: its field and message.</summary>
    public static string[] FieldErrors(ProtocolResponse response, string field)
    {
        Assert.True(response.Status == HttpStatusCode.BadRequest, response.Body);
        Assert.Equal("invalid_request", response.Error);
        var errors = response.Json.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"No error for '{field}': {response.Body}");
        return [.. messages.EnumerateArray().Select(message => message.GetString()!)];
    }

    /// <summary>The agency as a relying party: its code flow, with the secret it was given.</summary>
    public static Agency AsAgency(string clientId, string? secret) => new(clientId, secret, RedirectUri(clientId), "openid profile");
}
