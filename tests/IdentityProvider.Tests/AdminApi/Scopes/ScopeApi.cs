using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Data;
using OnePass.TestKit;
using OpenIddict.Abstractions;
using Permissions = OpenIddict.Abstractions.OpenIddictConstants.Permissions;

namespace OnePass.IdentityProvider.Tests.AdminApi.CustomScopes;

/// <summary>Calls on <c>/api/admin/scopes</c> as the seeded administrator, and what the tests check afterwards.</summary>
public static class ScopeApi
{
    public const string Path = "/api/admin/scopes";

    /// <summary>A scope name no other test uses (names are shared by the tests of one host).</summary>
    public static string UniqueName(string prefix) => $"{prefix}.{Guid.NewGuid():N}";

    public static JsonObject Body(string name, string description = "See your tax reference", params string[] claims) => new()
    {
        ["name"] = name,
        ["displayName"] = "Tax reference",
        ["description"] = description,
        ["claims"] = new JsonArray([.. claims.Select(claim => JsonValue.Create(claim))]),
    };

    public static JsonObject Update(string version, string description, params string[] claims) => new()
    {
        ["displayName"] = "Tax reference",
        ["description"] = description,
        ["claims"] = new JsonArray([.. claims.Select(claim => JsonValue.Create(claim))]),
        ["version"] = version,
    };

    /// <summary>Creates a scope; the answer is a 201.</summary>
    public static async Task<JsonElement> CreateAsync(AdminApiHost fixture, string name, string description = "See your tax reference", params string[] claims)
    {
        var response = await fixture.SendAsAdminAsync(HttpMethod.Post, Path, Body(name, description, claims));
        Assert.True(response.Status == HttpStatusCode.Created, response.Body);
        return response.Json.Clone();
    }

    public static Task<ProtocolResponse> GetAsync(AdminApiHost fixture, string name) =>
        fixture.GetAsAdminAsync($"{Path}/{Uri.EscapeDataString(name)}");

    public static async Task<string> VersionAsync(AdminApiHost fixture, string name) =>
        (await GetAsync(fixture, name)).Json.GetProperty("version").GetString()!;

    /// <summary>Lets <paramref name="clientId"/> ask for <paramref name="scope"/>, through OpenIddict's application manager.</summary>
    public static Task PermitAsync(AdminApiHost fixture, string clientId, string scope) => fixture.Host.WithServicesAsync(async services =>
    {
        var applications = services.GetRequiredService<IOpenIddictApplicationManager>();
        var application = await applications.FindByClientIdAsync(clientId) ?? throw new InvalidOperationException($"{clientId} is not seeded.");
        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application);
        descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        await applications.UpdateAsync(application, descriptor);
    });

    /// <summary>The change-log rows about one scope, oldest first (SQLite cannot order by a DateTimeOffset).</summary>
    public static async Task<List<AdminChange>> ChangesAsync(AdminApiHost fixture, string name)
    {
        var rows = await fixture.Host.WithDatabaseAsync(db =>
            db.AdminChanges.AsNoTracking().Where(change => change.TargetType == "scope" && change.TargetId == name).ToListAsync());
        return [.. rows.OrderBy(change => change.Time)];
    }

    public static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(item => item.GetString()!)];
}
