using System.Net;
using System.Text.Json.Nodes;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.Agencies;

/// <summary>
/// A disabled agency (issue 5): its sign-ins and token requests are refused (<c>unauthorized_client</c> /
/// <c>invalid_client</c>), the tokens it already holds stop working, and enabling it lets it sign citizens
/// in again. Disabling and enabling are audited.
/// </summary>
public sealed class AgencyDisableTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    [Fact]
    public async Task Disable_RefusesNewSignInsWithUnauthorizedClient()
    {
        var (agency, _) = await DisabledAgencyAsync("nosignin");
        var request = new AuthorizationRequest(agency.ClientId, agency.RedirectUri) { Scope = agency.Scope };
        using var browser = fixture.Host.CreateBrowser();

        var response = await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password));

        Assert.Null(response.Code);
        Assert.Equal("unauthorized_client", response.Error);
    }

    [Fact]
    public async Task Disable_RefusesPushedAuthorizationRequests()
    {
        var (agency, _) = await DisabledAgencyAsync("nopar");
        var request = new AuthorizationRequest(agency.ClientId, agency.RedirectUri) { Scope = agency.Scope };
        using var content = new FormUrlEncodedContent(request.Parameters().ToDictionary(pair => pair.Key, pair => pair.Value!));
        using var message = agency.Post("/connect/par", content);

        var response = await ProtocolResponse.ReadAsync(await fixture.Host.CreateProtocolClient().SendAsync(message));

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("unauthorized_client", response.Error);
    }

    [Fact]
    public async Task Disable_RefusesTheAgencysLogoutRequests()
    {
        var clientId = AgencyApi.UniqueClientId("nologout");
        var created = await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));
        var agency = AgencyApi.AsAgency(clientId, created.GetProperty("clientSecret").GetString());
        var idToken = (await agency.TokensAsync(fixture.Host))["id_token"]!;
        Assert.Equal(HttpStatusCode.OK, (await AgencyApi.SetEnabledAsync(fixture, clientId, enabled: false, AgencyApi.Version(created))).Status);
        using var browser = fixture.Host.CreateBrowser();

        var page = await browser.NavigateAsync(
            $"/connect/endsession?id_token_hint={idToken}&post_logout_redirect_uri={Uri.EscapeDataString($"http://127.0.0.1:7020/{clientId}/signout-callback-oidc")}",
            stopAt: uri => uri.ToString().Contains(clientId, StringComparison.Ordinal));

        Assert.False(page.StoppedAtRedirect, page.Uri.ToString());
        Assert.True(page.Status == HttpStatusCode.BadRequest, $"{page.Status} {page.Uri}");
        Assert.Contains("unauthorized_client", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disable_RefusesTokenRequestsWithInvalidClient()
    {
        var clientId = AgencyApi.UniqueClientId("notoken");
        var body = AgencyApi.Body(clientId);
        body["grantTypes"] = new JsonArray("authorization_code", "refresh_token", "client_credentials");
        var created = await AgencyApi.CreateAsync(fixture, body);
        var secret = created.GetProperty("clientSecret").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await new TokenClient(fixture.Host.CreateProtocolClient()).ClientCredentialsAsync(clientId, secret)).Status);

        Assert.Equal(HttpStatusCode.OK, (await AgencyApi.SetEnabledAsync(fixture, clientId, enabled: false, AgencyApi.Version(created))).Status);
        var response = await new TokenClient(fixture.Host.CreateProtocolClient()).ClientCredentialsAsync(clientId, secret);

        Assert.Equal("invalid_client", response.Error);
        Assert.Contains("disabled", response["error_description"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disable_StopsTheAgencysExistingTokens()
    {
        var clientId = AgencyApi.UniqueClientId("killtokens");
        var created = await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));
        var agency = AgencyApi.AsAgency(clientId, created.GetProperty("clientSecret").GetString());
        var tokens = await agency.TokensAsync(fixture.Host);
        var client = new TokenClient(fixture.Host.CreateProtocolClient());
        Assert.Equal(HttpStatusCode.OK, (await client.UserInfoAsync(tokens["access_token"]!)).Status);
        Assert.Equal("true", (await client.IntrospectAsync(clientId, agency.Secret, tokens["access_token"]!))["active"]);

        Assert.Equal(HttpStatusCode.OK, (await AgencyApi.SetEnabledAsync(fixture, clientId, enabled: false, AgencyApi.Version(created))).Status);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.UserInfoAsync(tokens["access_token"]!)).Status);
        var introspection = await client.IntrospectAsync(clientId, agency.Secret, tokens["access_token"]!);
        Assert.Equal("false", introspection["active"]); // the token was revoked before the agency could even ask
        Assert.Equal("invalid_grant", (await agency.RefreshAsync(fixture.Host, tokens["refresh_token"]!)).Error); // revoked
    }

    [Fact]
    public async Task Disable_TokensCannotBeRevivedByEnablingAgain()
    {
        var clientId = AgencyApi.UniqueClientId("revive");
        var created = await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));
        var agency = AgencyApi.AsAgency(clientId, created.GetProperty("clientSecret").GetString());
        var tokens = await agency.TokensAsync(fixture.Host);
        var disabled = await AgencyApi.SetEnabledAsync(fixture, clientId, enabled: false, AgencyApi.Version(created));

        Assert.Equal(HttpStatusCode.OK, (await AgencyApi.SetEnabledAsync(fixture, clientId, enabled: true, disabled.Json.GetProperty("version").GetString()!)).Status);

        var userInfo = await new TokenClient(fixture.Host.CreateProtocolClient()).UserInfoAsync(tokens["access_token"]!);
        Assert.Equal(HttpStatusCode.Unauthorized, userInfo.Status);
    }

    [Fact]
    public async Task Enable_LetsTheAgencySignCitizensInAgain()
    {
        var (agency, version) = await DisabledAgencyAsync("again");

        var enabled = await AgencyApi.SetEnabledAsync(fixture, agency.ClientId, enabled: true, version);

        Assert.Equal(HttpStatusCode.OK, enabled.Status);
        Assert.True(enabled.Json.GetProperty("enabled").GetBoolean());
        var tokens = await agency.TokensAsync(fixture.Host);
        Assert.NotNull(tokens["id_token"]);
    }

    [Fact]
    public async Task Disable_ShowsAsDisabledAndWritesAuditRows()
    {
        var (agency, version) = await DisabledAgencyAsync("audited");
        await AgencyApi.SetEnabledAsync(fixture, agency.ClientId, enabled: true, version);

        var read = await AgencyApi.ReadAsync(fixture, agency.ClientId);
        var changes = await AgencyApi.ChangesAsync(fixture, agency.ClientId);

        Assert.True(read.GetProperty("enabled").GetBoolean());
        Assert.Equal(["agency.create", "agency.disable", "agency.enable"], changes.Select(c => c.Action));
        var disable = changes[1];
        Assert.True(JsonNode.Parse(disable.Before!)!["enabled"]!.GetValue<bool>());
        Assert.False(JsonNode.Parse(disable.After!)!["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task List_WithStatusDisabled_ShowsTheDisabledAgency()
    {
        var (agency, _) = await DisabledAgencyAsync("listed");

        var response = await fixture.GetAsAdminAsync($"{AgencyApi.Path}?status=disabled&search={agency.ClientId}");

        var item = Assert.Single(response.Json.GetProperty("items").EnumerateArray());
        Assert.Equal(agency.ClientId, item.GetProperty("clientId").GetString());
        Assert.False(item.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Disable_WithoutVersion_Returns400()
    {
        var clientId = AgencyApi.UniqueClientId("disnover");
        await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));

        var response = await fixture.SendAsAdminAsync(HttpMethod.Post, $"{AgencyApi.Path}/{clientId}/disable", new JsonObject());

        Assert.NotEmpty(AgencyApi.FieldErrors(response, "version"));
        Assert.True((await AgencyApi.ReadAsync(fixture, clientId)).GetProperty("enabled").GetBoolean());
    }

    /// <summary>A new agency, disabled through the API; returns it and its version after disabling.</summary>
    private async Task<(Agency Agency, string Version)> DisabledAgencyAsync(string prefix)
    {
        var clientId = AgencyApi.UniqueClientId(prefix);
        var created = await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));
        var disabled = await AgencyApi.SetEnabledAsync(fixture, clientId, enabled: false, AgencyApi.Version(created));
        Assert.True(disabled.Status == HttpStatusCode.OK, disabled.Body);
        Assert.False(disabled.Json.GetProperty("enabled").GetBoolean());
        return (AgencyApi.AsAgency(clientId, created.GetProperty("clientSecret").GetString()), disabled.Json.GetProperty("version").GetString()!);
    }
}
