using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.TestKit;
using OpenIddict.Abstractions;

namespace OnePass.IdentityProvider.Tests.AdminApi.Agencies;

/// <summary>
/// Editing and deleting agencies (issue 5): a PUT replaces the editable fields and keeps what other
/// endpoints manage (secret rotation, logo); a stale <c>version</c> is a 409 that writes nothing, so
/// two administrators never lose each other's edits (CATALOGUE IN-AD-07); each change is audited with
/// the record before and after.
/// </summary>
public sealed class AgencyEditTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    [Fact]
    public async Task Update_ReplacesEditableFieldsAndReturnsANewVersion()
    {
        var clientId = AgencyApi.UniqueClientId("edit");
        var created = await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));
        var body = AgencyApi.EditBody(created);
        body["displayName"] = "Land Registry (new)";
        body["contactEmail"] = "ops@land.example.test";
        body["scopes"] = new JsonArray("openid", "profile", "email");
        body["consent"] = "explicit";
        body["minimumAcr"] = "urn:onepass:loa:3";
        body["frontchannelLogoutUri"] = $"http://127.0.0.1:7020/{clientId}/fcl";

        var response = await fixture.SendAsAdminAsync(HttpMethod.Put, $"{AgencyApi.Path}/{clientId}", body);

        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
        var read = await AgencyApi.ReadAsync(fixture, clientId);
        Assert.Equal("Land Registry (new)", read.GetProperty("displayName").GetString());
        Assert.Equal("ops@land.example.test", read.GetProperty("contactEmail").GetString());
        Assert.Equal(["openid", "profile", "email"], read.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("explicit", read.GetProperty("consent").GetString());
        Assert.Equal("urn:onepass:loa:3", read.GetProperty("minimumAcr").GetString());
        Assert.Equal($"http://127.0.0.1:7020/{clientId}/fcl", read.GetProperty("frontchannelLogoutUri").GetString());
        Assert.NotEqual(AgencyApi.Version(created), AgencyApi.Version(read));
        Assert.Equal(AgencyApi.Version(read), response.Json.GetProperty("version").GetString());
    }

    [Fact]
    public async Task Update_KeepsTheSecretAndItsRotationTime()
    {
        var clientId = AgencyApi.UniqueClientId("keep");
        var body = AgencyApi.Body(clientId);
        body["grantTypes"] = new JsonArray("authorization_code", "refresh_token", "client_credentials");
        var created = await AgencyApi.CreateAsync(fixture, body);
        var secret = created.GetProperty("clientSecret").GetString()!;
        var edit = AgencyApi.EditBody(created);
        edit["displayName"] = "Renamed";

        var response = await fixture.SendAsAdminAsync(HttpMethod.Put, $"{AgencyApi.Path}/{clientId}", edit);

        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
        Assert.Equal(created.GetProperty("secret").GetProperty("rotatedAt").GetString(),
            response.Json.GetProperty("secret").GetProperty("rotatedAt").GetString());
        var token = await new TokenClient(fixture.Host.CreateProtocolClient()).ClientCredentialsAsync(clientId, secret);
        Assert.True(token.Status == HttpStatusCode.OK, token.Body);
    }

    [Fact]
    public async Task Update_KeepsThePairwiseSectorWhenRedirectHostsChange()
    {
        var clientId = AgencyApi.UniqueClientId("sector");
        var created = await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));
        var edit = AgencyApi.EditBody(created);
        edit["redirectUris"] = new JsonArray($"http://localhost:7020/{clientId}/signin-oidc");

        var response = await fixture.SendAsAdminAsync(HttpMethod.Put, $"{AgencyApi.Path}/{clientId}", edit);

        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
        string? sector = null;
        await fixture.Host.WithServicesAsync(async services =>
        {
            var applications = services.GetRequiredService<IOpenIddictApplicationManager>();
            sector = (await AgencySettings.ReadAsync(applications, (await applications.FindByClientIdAsync(clientId))!)).Sector;
        });
        Assert.Equal("127.0.0.1", sector);
    }

    [Fact]
    public async Task Update_WritesAuditRowWithBeforeAndAfter()
    {
        var clientId = AgencyApi.UniqueClientId("auditedit");
        var created = await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));
        var edit = AgencyApi.EditBody(created);
        edit["displayName"] = "After";

        await fixture.SendAsAdminAsync(HttpMethod.Put, $"{AgencyApi.Path}/{clientId}", edit);

        var change = Assert.Single(await AgencyApi.ChangesAsync(fixture, clientId), c => c.Action == "agency.update");
        Assert.Equal("Land Registry", JsonNode.Parse(change.Before!)!["displayName"]!.GetValue<string>());
        Assert.Equal("After", JsonNode.Parse(change.After!)!["displayName"]!.GetValue<string>());
        Assert.Equal(TestSeed.Admin, change.ActorName);
        Assert.DoesNotContain(created.GetProperty("clientSecret").GetString()!, change.Before + change.After, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-07")]
    public async Task Update_WithStaleVersion_Returns409AndKeepsTheFirstEdit()
    {
        var clientId = AgencyApi.UniqueClientId("race");
        var created = await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));
        var first = AgencyApi.EditBody(created);
        var second = (JsonObject)first.DeepClone();
        first["displayName"] = "First administrator's name";
        second["displayName"] = "Second administrator's name";
        Assert.Equal(HttpStatusCode.OK, (await fixture.SendAsAdminAsync(HttpMethod.Put, $"{AgencyApi.Path}/{clientId}", first)).Status);
        var counts = await fixture.Host.CountRowsAsync();

        var response = await fixture.SendAsync(HttpMethod.Put, $"{AgencyApi.Path}/{clientId}", second,
            await fixture.AccessTokenAsync(TestSeed.Admin));

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal("conflict", response.Error);
        Assert.Equal("First administrator's name", (await AgencyApi.ReadAsync(fixture, clientId)).GetProperty("displayName").GetString());
        Assert.Equal(counts, await fixture.Host.CountRowsAsync());
        Assert.Single(await AgencyApi.ChangesAsync(fixture, clientId), c => c.Action == "agency.update");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-07")]
    public async Task Disable_WithStaleVersion_Returns409AndStaysEnabled()
    {
        var clientId = AgencyApi.UniqueClientId("racedis");
        var created = await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));
        var edit = AgencyApi.EditBody(created);
        Assert.Equal(HttpStatusCode.OK, (await fixture.SendAsAdminAsync(HttpMethod.Put, $"{AgencyApi.Path}/{clientId}", edit)).Status);

        var response = await AgencyApi.SetEnabledAsync(fixture, clientId, enabled: false, AgencyApi.Version(created));

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.True((await AgencyApi.ReadAsync(fixture, clientId)).GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Update_WithoutVersion_Returns400UnderVersion()
    {
        var clientId = AgencyApi.UniqueClientId("nover");
        var created = await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));
        var edit = AgencyApi.EditBody(created);
        edit.Remove("version");

        var response = await fixture.SendAsAdminAsync(HttpMethod.Put, $"{AgencyApi.Path}/{clientId}", edit);

        Assert.NotEmpty(AgencyApi.FieldErrors(response, "version"));
    }

    [Fact]
    public async Task Update_UnknownAgency_Returns404()
    {
        var body = AgencyApi.Body("no-such-agency");
        body.Remove("clientId");
        body.Remove("clientType");
        body["version"] = "x";

        var response = await fixture.SendAsAdminAsync(HttpMethod.Put, $"{AgencyApi.Path}/no-such-agency", body);

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
    }

    [Fact]
    public async Task Delete_RemovesTheAgencyItsTokensAndAuthorizations()
    {
        var clientId = AgencyApi.UniqueClientId("delete");
        var created = await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));
        var agency = AgencyApi.AsAgency(clientId, created.GetProperty("clientSecret").GetString());
        var tokens = await agency.TokensAsync(fixture.Host);

        var response = await fixture.SendAsAdminAsync(HttpMethod.Delete, $"{AgencyApi.Path}/{clientId}?version={Uri.EscapeDataString(AgencyApi.Version(created))}");

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await AgencyApi.GetAsync(fixture, clientId)).Status);
        var userInfo = await new TokenClient(fixture.Host.CreateProtocolClient()).UserInfoAsync(tokens["access_token"]!);
        Assert.Equal(HttpStatusCode.Unauthorized, userInfo.Status);
        var change = Assert.Single(await AgencyApi.ChangesAsync(fixture, clientId), c => c.Action == "agency.delete");
        Assert.Null(change.After);
        Assert.Equal(clientId, JsonNode.Parse(change.Before!)!["clientId"]!.GetValue<string>());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-07")]
    public async Task Delete_WithStaleVersion_Returns409AndKeepsTheAgency()
    {
        var clientId = AgencyApi.UniqueClientId("deletestale");
        var created = await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));
        var edit = AgencyApi.EditBody(created);
        Assert.Equal(HttpStatusCode.OK, (await fixture.SendAsAdminAsync(HttpMethod.Put, $"{AgencyApi.Path}/{clientId}", edit)).Status);

        var response = await fixture.SendAsAdminAsync(HttpMethod.Delete, $"{AgencyApi.Path}/{clientId}?version={Uri.EscapeDataString(AgencyApi.Version(created))}");

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal(HttpStatusCode.OK, (await AgencyApi.GetAsync(fixture, clientId)).Status);
    }

    [Fact]
    public async Task Delete_WithoutVersion_Returns400()
    {
        var clientId = AgencyApi.UniqueClientId("deletenover");
        await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));

        var response = await fixture.SendAsAdminAsync(HttpMethod.Delete, $"{AgencyApi.Path}/{clientId}");

        Assert.NotEmpty(AgencyApi.FieldErrors(response, "version"));
        Assert.Equal(HttpStatusCode.OK, (await AgencyApi.GetAsync(fixture, clientId)).Status);
    }
}
