using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.CustomScopes;

/// <summary>
/// Custom scopes through the admin API (issue 5; docs/admin-api.md "Scopes"): list with the built-in scopes
/// read-only, create, read, edit, delete; field errors that persist nothing; 409 on a stale version or while
/// an agency may still ask for the scope; a change-log row for every change. Each test uses its own names.
/// </summary>
public sealed class ScopeEndpointTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    [Fact]
    public async Task List_ShowsBuiltInScopesReadOnlyWithTheirClaims()
    {
        var response = await fixture.GetAsAdminAsync(ScopeApi.Path);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var items = response.Json.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["openid", "profile", "email", "offline_access", "onepass.admin"], items.Take(5).Select(item => item.GetProperty("name").GetString()));
        Assert.All(items.Take(5), item =>
        {
            Assert.True(item.GetProperty("builtIn").GetBoolean());
            Assert.Equal(JsonValueKind.Null, item.GetProperty("version").ValueKind);
            Assert.False(string.IsNullOrEmpty(item.GetProperty("description").GetString()));
        });
        Assert.Equal(["name", "preferred_username"], ScopeApi.Strings(items[1].GetProperty("claims")));
        Assert.Equal(["email", "email_verified"], ScopeApi.Strings(items[2].GetProperty("claims")));
    }

    [Fact]
    public async Task List_WithCustomScope_ListsItAfterTheBuiltInOnesWithTotal()
    {
        var name = ScopeApi.UniqueName("list");
        await ScopeApi.CreateAsync(fixture, name, "See your tax reference", "email");

        var response = await fixture.GetAsAdminAsync(ScopeApi.Path + "?page=1&pageSize=200");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var items = response.Json.GetProperty("items").EnumerateArray().ToList();
        var custom = Assert.Single(items, item => item.GetProperty("name").GetString() == name);
        Assert.False(custom.GetProperty("builtIn").GetBoolean());
        Assert.True(items.IndexOf(custom) >= 5);
        Assert.Equal(items.Count, response.Json.GetProperty("total").GetInt32());
        Assert.Equal(200, response.Json.GetProperty("pageSize").GetInt32());
    }

    [Fact]
    public async Task List_WithUnknownParameter_Returns400NamingIt()
    {
        var response = await fixture.GetAsAdminAsync(ScopeApi.Path + "?colour=red");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
        Assert.Contains("colour", response["error_description"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WithValidScope_Returns201WithLocationAndTheScope()
    {
        var name = ScopeApi.UniqueName("create");

        var response = await fixture.SendAsAdminAsync(HttpMethod.Post, ScopeApi.Path, ScopeApi.Body(name, "See your tax reference", "name", "email"));

        Assert.Equal(HttpStatusCode.Created, response.Status);
        Assert.Equal($"/api/admin/scopes/{name}", response.Response.Headers.Location?.ToString());
        Assert.Equal(name, response["name"]);
        Assert.Equal("Tax reference", response["displayName"]);
        Assert.Equal("See your tax reference", response["description"]);
        Assert.Equal(["name", "email"], ScopeApi.Strings(response.Json.GetProperty("claims")));
        Assert.False(response.Json.GetProperty("builtIn").GetBoolean());
        Assert.False(string.IsNullOrEmpty(response["version"]));
    }

    [Fact]
    public async Task Get_AfterCreate_ReturnsTheStoredScope()
    {
        var name = ScopeApi.UniqueName("get");
        var created = await ScopeApi.CreateAsync(fixture, name, "See your tax reference", "email_verified", "preferred_username");

        var response = await ScopeApi.GetAsync(fixture, name);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("See your tax reference", response["description"]);
        Assert.Equal(["preferred_username", "email_verified"], ScopeApi.Strings(response.Json.GetProperty("claims")));
        Assert.Equal(created.GetProperty("version").GetString(), response["version"]);
    }

    [Fact]
    public async Task Get_BuiltInScope_ReturnsItReadOnly()
    {
        var response = await ScopeApi.GetAsync(fixture, "profile");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(response.Json.GetProperty("builtIn").GetBoolean());
    }

    [Fact]
    public async Task Get_UnknownScope_Returns404()
    {
        var response = await ScopeApi.GetAsync(fixture, ScopeApi.UniqueName("missing"));

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("not_found", response.Error);
    }

    [Fact]
    public async Task Create_WritesChangeLogRowWithTheScopeAfter()
    {
        var name = ScopeApi.UniqueName("audit-create");

        await ScopeApi.CreateAsync(fixture, name, "See your tax reference", "email");

        var change = Assert.Single(await ScopeApi.ChangesAsync(fixture, name));
        Assert.Equal("scope.create", change.Action);
        Assert.Equal(TestSeed.Admin, change.ActorName);
        Assert.Null(change.Before);
        var after = JsonNode.Parse(change.After!)!;
        Assert.Equal("See your tax reference", after["description"]!.GetValue<string>());
        Assert.Equal("email", after["claims"]![0]!.GetValue<string>());
    }

    public static TheoryData<string, string, string> InvalidScopes => new()
    {
        // case, the body's changes (merged into a valid body), the field whose error is expected
        { "space in name", """{"name": "tax number"}""", "name" },
        { "upper-case name", """{"name": "TaxNumber"}""", "name" },
        { "slash in name", """{"name": "tax/number"}""", "name" },
        { "empty name", """{"name": ""}""", "name" },
        { "name of 65 characters", $$"""{"name": "{{new string('a', 65)}}"}""", "name" },
        { "built-in name", """{"name": "profile"}""", "name" },
        { "admin scope name", """{"name": "onepass.admin"}""", "name" },
        { "unknown claim", """{"claims": ["address"]}""", "claims[0]" },
        { "claim listed twice", """{"claims": ["email", "email"]}""", "claims[1]" },
        { "null claim", """{"claims": ["email", null]}""", "claims[1]" },
        { "claims missing", """{"claims": null}""", "claims" },
        { "empty description", """{"description": ""}""", "description" },
        { "blank description", """{"description": "   "}""", "description" },
        { "description of 501 characters", $$"""{"description": "{{new string('x', 501)}}"}""", "description" },
        { "right-to-left override in description", """{"description": "See your \u202Eecnerefer xat"}""", "description" },
        { "line break in description", """{"description": "See your\ntax reference"}""", "description" },
        { "empty display name", """{"displayName": ""}""", "displayName" },
        { "display name of 201 characters", $$"""{"displayName": "{{new string('x', 201)}}"}""", "displayName" },
    };

    [Theory]
    [MemberData(nameof(InvalidScopes))]
    [Trait(Catalogue.Row, "IN-AD-02")]
    public async Task Create_WithInvalidField_Returns400WithThatFieldsErrorAndPersistsNothing(string @case, string changes, string field)
    {
        var body = ScopeApi.Body(ScopeApi.UniqueName("invalid"), "See your tax reference", "email");
        foreach (var (member, value) in JsonNode.Parse(changes)!.AsObject())
        {
            body[member] = value?.DeepClone();
        }

        await fixture.AccessTokenAsync(TestSeed.Admin); // the token's own rows are written before counting
        var counts = await fixture.Host.CountRowsAsync();

        var response = await fixture.SendAsAdminAsync(HttpMethod.Post, ScopeApi.Path, body);

        Assert.True(response.Status == HttpStatusCode.BadRequest, $"{@case}: {response.Status} {response.Body}");
        Assert.Equal("invalid_request", response.Error);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty(field, out var messages), $"{@case}: {response.Body}");
        Assert.NotEmpty(messages.EnumerateArray());
        Assert.Equal(counts, await fixture.Host.CountRowsAsync());
    }

    [Fact]
    public async Task Create_WithUnknownMember_Returns400NamingIt()
    {
        var body = ScopeApi.Body(ScopeApi.UniqueName("member"), "See your tax reference", "email");
        body["colour"] = "red";

        var response = await fixture.SendAsAdminAsync(HttpMethod.Post, ScopeApi.Path, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
        Assert.Contains("colour", response["error_description"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WithWrongType_Returns400()
    {
        var body = ScopeApi.Body(ScopeApi.UniqueName("type"), "See your tax reference");
        body["claims"] = "email";

        var response = await fixture.SendAsAdminAsync(HttpMethod.Post, ScopeApi.Path, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
    }

    [Fact]
    public async Task Create_WithExistingName_Returns409AndKeepsTheFirst()
    {
        var name = ScopeApi.UniqueName("twice");
        await ScopeApi.CreateAsync(fixture, name, "The first", "email");

        var response = await fixture.SendAsAdminAsync(HttpMethod.Post, ScopeApi.Path, ScopeApi.Body(name, "The second", "name"));

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal("conflict", response.Error);
        Assert.Equal("The first", (await ScopeApi.GetAsync(fixture, name))["description"]);
        Assert.Single(await ScopeApi.ChangesAsync(fixture, name));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Create_AsNonAdministrator_Returns403AndCreatesNothing()
    {
        var name = ScopeApi.UniqueName("forbidden");
        var citizenToken = await fixture.AccessTokenAsync(TestSeed.Citizen);

        var response = await fixture.SendAsync(HttpMethod.Post, ScopeApi.Path, ScopeApi.Body(name, "See your tax reference", "email"), citizenToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await ScopeApi.GetAsync(fixture, name)).Status);
    }

    [Fact]
    public async Task Update_WithCurrentVersion_ChangesTheScopeAndItsVersion()
    {
        var name = ScopeApi.UniqueName("update");
        var version = (await ScopeApi.CreateAsync(fixture, name, "Before", "email")).GetProperty("version").GetString()!;

        var response = await fixture.SendAsAdminAsync(HttpMethod.Put, $"{ScopeApi.Path}/{name}", ScopeApi.Update(version, "After", "name"));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("After", response["description"]);
        Assert.Equal(["name"], ScopeApi.Strings(response.Json.GetProperty("claims")));
        Assert.NotEqual(version, response["version"]);
        Assert.Equal("After", (await ScopeApi.GetAsync(fixture, name))["description"]);
    }

    [Fact]
    public async Task Update_WritesChangeLogRowWithBeforeAndAfter()
    {
        var name = ScopeApi.UniqueName("audit-update");
        var version = (await ScopeApi.CreateAsync(fixture, name, "Before", "email")).GetProperty("version").GetString()!;

        await fixture.SendAsAdminAsync(HttpMethod.Put, $"{ScopeApi.Path}/{name}", ScopeApi.Update(version, "After", "name"));

        var change = Assert.Single(await ScopeApi.ChangesAsync(fixture, name), row => row.Action == "scope.update");
        Assert.Equal("Before", JsonNode.Parse(change.Before!)!["description"]!.GetValue<string>());
        Assert.Equal("After", JsonNode.Parse(change.After!)!["description"]!.GetValue<string>());
        Assert.Equal("name", JsonNode.Parse(change.After!)!["claims"]![0]!.GetValue<string>());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-07")]
    public async Task Update_WithStaleVersion_Returns409AndKeepsTheOtherAdministratorsEdit()
    {
        var name = ScopeApi.UniqueName("stale");
        var version = (await ScopeApi.CreateAsync(fixture, name, "Before", "email")).GetProperty("version").GetString()!;
        var first = await fixture.SendAsAdminAsync(HttpMethod.Put, $"{ScopeApi.Path}/{name}", ScopeApi.Update(version, "First edit", "email"));
        Assert.Equal(HttpStatusCode.OK, first.Status);

        var second = await fixture.SendAsAdminAsync(HttpMethod.Put, $"{ScopeApi.Path}/{name}", ScopeApi.Update(version, "Second edit", "name"));

        Assert.Equal(HttpStatusCode.Conflict, second.Status);
        Assert.Equal("conflict", second.Error);
        Assert.Equal("First edit", (await ScopeApi.GetAsync(fixture, name))["description"]);
        Assert.Single(await ScopeApi.ChangesAsync(fixture, name), row => row.Action == "scope.update");
    }

    [Fact]
    public async Task Update_WithoutVersion_Returns400WithVersionError()
    {
        var name = ScopeApi.UniqueName("no-version");
        await ScopeApi.CreateAsync(fixture, name, "Before", "email");
        var body = ScopeApi.Update("unused", "After", "email");
        body.Remove("version");

        var response = await fixture.SendAsAdminAsync(HttpMethod.Put, $"{ScopeApi.Path}/{name}", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("version", out _), response.Body);
        Assert.Equal("Before", (await ScopeApi.GetAsync(fixture, name))["description"]);
    }

    [Fact]
    public async Task Update_WithNameInBody_Returns400AsUnknownMember()
    {
        var name = ScopeApi.UniqueName("rename");
        var version = (await ScopeApi.CreateAsync(fixture, name, "Before", "email")).GetProperty("version").GetString()!;
        var body = ScopeApi.Update(version, "After", "email");
        body["name"] = "renamed";

        var response = await fixture.SendAsAdminAsync(HttpMethod.Put, $"{ScopeApi.Path}/{name}", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("Before", (await ScopeApi.GetAsync(fixture, name))["description"]);
    }

    [Theory]
    [InlineData("profile")]
    [InlineData("onepass.admin")]
    public async Task Update_BuiltInScope_Returns400(string name)
    {
        var response = await fixture.SendAsAdminAsync(HttpMethod.Put, $"{ScopeApi.Path}/{name}", ScopeApi.Update("any", "Mine now", "email"));

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
    }

    [Fact]
    public async Task Update_UnknownScope_Returns404()
    {
        var response = await fixture.SendAsAdminAsync(HttpMethod.Put, $"{ScopeApi.Path}/{ScopeApi.UniqueName("missing")}",
            ScopeApi.Update("any", "After", "email"));

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
    }

    [Fact]
    public async Task Delete_WithCurrentVersion_Returns204AndWritesChangeLogRow()
    {
        var name = ScopeApi.UniqueName("delete");
        var version = (await ScopeApi.CreateAsync(fixture, name, "Doomed", "email")).GetProperty("version").GetString()!;

        var response = await fixture.SendAsAdminAsync(HttpMethod.Delete, $"{ScopeApi.Path}/{name}?version={Uri.EscapeDataString(version)}");

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await ScopeApi.GetAsync(fixture, name)).Status);
        var change = Assert.Single(await ScopeApi.ChangesAsync(fixture, name), row => row.Action == "scope.delete");
        Assert.Equal("Doomed", JsonNode.Parse(change.Before!)!["description"]!.GetValue<string>());
        Assert.Null(change.After);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-07")]
    public async Task Delete_WithStaleVersion_Returns409AndKeepsTheScope()
    {
        var name = ScopeApi.UniqueName("delete-stale");
        var version = (await ScopeApi.CreateAsync(fixture, name, "Before", "email")).GetProperty("version").GetString()!;
        await fixture.SendAsAdminAsync(HttpMethod.Put, $"{ScopeApi.Path}/{name}", ScopeApi.Update(version, "Edited", "email"));

        var response = await fixture.SendAsAdminAsync(HttpMethod.Delete, $"{ScopeApi.Path}/{name}?version={Uri.EscapeDataString(version)}");

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal("Edited", (await ScopeApi.GetAsync(fixture, name))["description"]);
    }

    [Fact]
    public async Task Delete_WithoutVersion_Returns400()
    {
        var name = ScopeApi.UniqueName("delete-no-version");
        await ScopeApi.CreateAsync(fixture, name, "Before", "email");

        var response = await fixture.SendAsAdminAsync(HttpMethod.Delete, $"{ScopeApi.Path}/{name}");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(HttpStatusCode.OK, (await ScopeApi.GetAsync(fixture, name)).Status);
    }

    [Fact]
    public async Task Delete_WhileAnAgencyMayAskForIt_Returns409ListingTheAgency()
    {
        var name = ScopeApi.UniqueName("in-use");
        var version = (await ScopeApi.CreateAsync(fixture, name, "Before", "email")).GetProperty("version").GetString()!;
        await ScopeApi.PermitAsync(fixture, TestSeed.LegacyClient, name);

        var response = await fixture.SendAsAdminAsync(HttpMethod.Delete, $"{ScopeApi.Path}/{name}?version={Uri.EscapeDataString(version)}");

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Contains(TestSeed.LegacyClient, response["error_description"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await ScopeApi.GetAsync(fixture, name)).Status);
        Assert.DoesNotContain(await ScopeApi.ChangesAsync(fixture, name), row => row.Action == "scope.delete");
    }

    [Fact]
    public async Task Delete_BuiltInScope_Returns400()
    {
        var response = await fixture.SendAsAdminAsync(HttpMethod.Delete, $"{ScopeApi.Path}/email?version=x");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheScopeEndpoints()
    {
        using var client = fixture.Host.CreateProtocolClient();

        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;

        var paths = document["paths"]!.AsObject();
        Assert.NotNull(paths["/api/admin/scopes"]?["post"]?["requestBody"]);
        Assert.Equal("UpdateScope", paths["/api/admin/scopes/{name}"]?["put"]?["operationId"]?.GetValue<string>());
        Assert.NotNull(paths["/api/admin/scopes/{name}"]?["delete"]);
    }
}
