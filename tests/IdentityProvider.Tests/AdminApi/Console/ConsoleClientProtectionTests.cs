using System.Net;
using System.Text.Json.Nodes;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.Console;

/// <summary>
/// The admin console's own client is managed by configuration: the admin API refuses to edit, disable,
/// delete or re-key it (409), so no administrator can lock everyone out of the console (the admin scope itself is refused
/// to agencies: see Review/AdminApiReviewTests).
/// </summary>
public sealed class ConsoleClientProtectionTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    private const string Path = "/api/admin/agencies/onepass-admin";

    [Theory]
    [InlineData("POST", "/disable")]
    [InlineData("POST", "/secret")]
    [InlineData("DELETE", "")]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task ChangeConsoleClient_ThroughAdminApi_Returns409AndChangesNothing(string method, string suffix)
    {
        var version = await VersionAsync();
        var rows = await fixture.Host.CountRowsAsync();

        var response = method == "DELETE"
            ? await fixture.SendAsAdminAsync(HttpMethod.Delete, $"{Path}?version={Uri.EscapeDataString(version)}")
            : await fixture.SendAsAdminAsync(HttpMethod.Post, Path + suffix, new JsonObject { ["version"] = version });

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Contains("configuration", response["error_description"], StringComparison.Ordinal);
        Assert.Equal(rows, await fixture.Host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task EditConsoleClient_ThroughAdminApi_Returns409()
    {
        var agency = (await fixture.GetAsAdminAsync(Path)).Json;
        var body = JsonNode.Parse(agency.GetRawText())!.AsObject();
        body["displayName"] = "Taken over";
        foreach (var readOnly in new[] { "clientId", "clientType", "enabled", "logoUrl", "secret" })
        {
            body.Remove(readOnly);
        }

        var response = await fixture.SendAsAdminAsync(HttpMethod.Put, Path, body);

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
    }

    private async Task<string> VersionAsync() => (await fixture.GetAsAdminAsync(Path)).Json.GetProperty("version").GetString()!;
}
