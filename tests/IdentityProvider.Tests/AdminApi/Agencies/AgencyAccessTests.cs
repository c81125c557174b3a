using System.Net;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.Agencies;

/// <summary>The agency endpoints need an administrator's token with the admin scope (CATALOGUE IN-AD-06); a refused change writes nothing.</summary>
public sealed class AgencyAccessTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    [Theory]
    [InlineData("GET", AgencyApi.Path)]
    [InlineData("GET", AgencyApi.Path + "/agency-tax")]
    [InlineData("POST", AgencyApi.Path)]
    [InlineData("PUT", AgencyApi.Path + "/agency-tax")]
    [InlineData("POST", AgencyApi.Path + "/agency-tax/disable")]
    [InlineData("DELETE", AgencyApi.Path + "/agency-tax?version=x")]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task AgencyEndpoint_WithoutToken_Returns401(string method, string path)
    {
        var response = await fixture.SendAsync(new HttpMethod(method), path, method is "GET" or "DELETE" ? null : AgencyApi.Body("x"), accessToken: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Create_ByNonAdministrator_Returns403AndPersistsNothing()
    {
        var token = await fixture.AccessTokenAsync(TestSeed.Citizen);
        var counts = await fixture.Host.CountRowsAsync();

        var response = await fixture.SendAsync(HttpMethod.Post, AgencyApi.Path, AgencyApi.Body(AgencyApi.UniqueClientId("citizen")), token);

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal(counts, await fixture.Host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Disable_ByAdministratorWithoutAdminScope_Returns403AndLeavesTheAgencyEnabled()
    {
        var version = AgencyApi.Version(await AgencyApi.ReadAsync(fixture, TestSeed.HealthClient));

        var response = await fixture.SendAsync(HttpMethod.Post, $"{AgencyApi.Path}/{TestSeed.HealthClient}/disable",
            new System.Text.Json.Nodes.JsonObject { ["version"] = version }, await fixture.AccessTokenAsync(TestSeed.Admin, Agency.Tax));

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.True((await AgencyApi.ReadAsync(fixture, TestSeed.HealthClient)).GetProperty("enabled").GetBoolean());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task List_ByNonAdministrator_Returns403()
    {
        var response = await fixture.SendAsync(HttpMethod.Get, AgencyApi.Path, null, await fixture.AccessTokenAsync(TestSeed.Citizen));

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesEveryAgencyOperation()
    {
        using var client = fixture.Host.CreateProtocolClient();

        var document = await ProtocolResponse.ReadAsync(await client.GetAsync("/openapi/v1.json"));

        Assert.Equal(HttpStatusCode.OK, document.Status);
        var operations = document.Json.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Where(op => op.Value.ValueKind == System.Text.Json.JsonValueKind.Object && op.Value.TryGetProperty("operationId", out _))
                .Select(op => (Id: op.Value.GetProperty("operationId").GetString(), Operation: op.Value)))
            .ToDictionary(op => op.Id!, op => op.Operation);
        foreach (var id in new[] { "ListAgencies", "GetAgency", "CreateAgency", "UpdateAgency", "DisableAgency", "EnableAgency", "DeleteAgency" })
        {
            Assert.True(operations.ContainsKey(id), id);
        }

        Assert.True(operations["CreateAgency"].TryGetProperty("requestBody", out _));
        Assert.True(operations["UpdateAgency"].GetProperty("responses").TryGetProperty("409", out _));
    }
}
