using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.Agencies;

/// <summary>
/// Registering and reading agencies through the admin API (issue 5, docs/admin-api.md "Agencies"): a
/// confidential client gets a generated secret shown once, a public client none; the audit row holds the
/// registration without the secret.
/// </summary>
public sealed class AgencyRegistrationTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task Create_Confidential_Returns201WithLocationAndA32ByteSecret()
    {
        var clientId = AgencyApi.UniqueClientId("conf");

        var response = await fixture.SendAsAdminAsync(HttpMethod.Post, AgencyApi.Path, AgencyApi.Body(clientId));

        Assert.Equal(HttpStatusCode.Created, response.Status);
        Assert.Equal($"{AgencyApi.Path}/{clientId}", response.Response.Headers.Location?.OriginalString);
        var secret = response["clientSecret"]!;
        Assert.Equal(43, secret.Length); // 32 random bytes, base64url without padding
        Assert.Equal(32, Convert.FromBase64String(secret.Replace('-', '+').Replace('_', '/') + "=").Length);
        Assert.Equal("confidential", response["clientType"]);
        Assert.Equal(JsonValueKind.Object, response.Json.GetProperty("secret").ValueKind);
    }

    [Fact]
    public async Task Create_Confidential_ShowsTheSecretOnlyOnce()
    {
        var clientId = AgencyApi.UniqueClientId("once");
        await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));

        var read = await AgencyApi.GetAsync(fixture, clientId);

        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.False(read.Json.TryGetProperty("clientSecret", out _));
        Assert.NotNull(read.Json.GetProperty("secret").GetProperty("rotatedAt").GetString());
    }

    [Fact]
    public async Task Create_ConfidentialSecret_IsAcceptedAtTheTokenEndpoint()
    {
        var clientId = AgencyApi.UniqueClientId("machine");
        var body = AgencyApi.Body(clientId);
        body["grantTypes"] = new JsonArray("client_credentials");
        body["redirectUris"] = new JsonArray();
        body["postLogoutRedirectUris"] = new JsonArray();
        body["backchannelLogoutUri"] = null;
        var secret = (await AgencyApi.CreateAsync(fixture, body)).GetProperty("clientSecret").GetString()!;

        var token = await new TokenClient(fixture.Host.CreateProtocolClient()).ClientCredentialsAsync(clientId, secret);
        var wrong = await new TokenClient(fixture.Host.CreateProtocolClient()).ClientCredentialsAsync(clientId, secret[..^1] + "x");

        Assert.True(token.Status == HttpStatusCode.OK, token.Body);
        Assert.NotNull(token["access_token"]);
        Assert.Equal("invalid_client", wrong.Error);
    }

    [Fact]
    public async Task Create_ConfidentialCodeFlowAgency_SignsACitizenInWithItsSecret()
    {
        var clientId = AgencyApi.UniqueClientId("rp");
        var secret = (await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId))).GetProperty("clientSecret").GetString()!;

        var tokens = await AgencyApi.AsAgency(clientId, secret).TokensAsync(fixture.Host);

        Assert.NotNull(tokens["id_token"]);
    }

    [Fact]
    public async Task Create_Public_HasNoSecretAndRequiresPkce()
    {
        var clientId = AgencyApi.UniqueClientId("spa");

        var created = await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId, "public"));

        Assert.False(created.TryGetProperty("clientSecret", out _));
        Assert.Equal(JsonValueKind.Null, created.GetProperty("secret").ValueKind);
        Assert.Equal("public", created.GetProperty("clientType").GetString());
        Assert.True(created.GetProperty("requirePkce").GetBoolean());
        var tokens = await AgencyApi.AsAgency(clientId, secret: null).TokensAsync(fixture.Host);
        Assert.NotNull(tokens["access_token"]);
    }

    [Fact]
    public async Task Get_ReturnsEveryFieldAsRegistered()
    {
        var clientId = AgencyApi.UniqueClientId("shape");
        var body = AgencyApi.Body(clientId);
        body["minimumAcr"] = "urn:onepass:loa:2";
        await AgencyApi.CreateAsync(fixture, body);

        var agency = await AgencyApi.ReadAsync(fixture, clientId);

        Assert.Equal(clientId, agency.GetProperty("clientId").GetString());
        Assert.Equal("Land Registry", agency.GetProperty("displayName").GetString());
        Assert.True(agency.GetProperty("enabled").GetBoolean());
        Assert.Equal("it@land.example.test", agency.GetProperty("contactEmail").GetString());
        Assert.Equal(JsonValueKind.Null, agency.GetProperty("logoUrl").ValueKind);
        Assert.Equal([AgencyApi.RedirectUri(clientId)], agency.GetProperty("redirectUris").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal($"http://127.0.0.1:7020/{clientId}/bcl", agency.GetProperty("backchannelLogoutUri").GetString());
        Assert.Equal(JsonValueKind.Null, agency.GetProperty("frontchannelLogoutUri").ValueKind);
        Assert.Equal(["authorization_code", "refresh_token"], agency.GetProperty("grantTypes").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal(["openid", "profile"], agency.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("implicit", agency.GetProperty("consent").GetString());
        Assert.Equal("pairwise", agency.GetProperty("subjectType").GetString());
        Assert.Equal("urn:onepass:loa:2", agency.GetProperty("minimumAcr").GetString());
        Assert.False(string.IsNullOrEmpty(agency.GetProperty("version").GetString()));
    }

    [Fact]
    public async Task Get_UnknownAgency_Returns404()
    {
        var response = await AgencyApi.GetAsync(fixture, "no-such-agency");

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("not_found", response.Error);
    }

    [Fact]
    public async Task Get_SeededAgency_ShowsItsSettings()
    {
        var agency = await AgencyApi.ReadAsync(fixture, TestSeed.LegacyClient);

        Assert.Equal("public", agency.GetProperty("subjectType").GetString());
        Assert.False(agency.GetProperty("requirePkce").GetBoolean());
    }

    [Fact]
    public async Task List_WithSearchAndStatus_ReturnsMatchingAgenciesPaged()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        foreach (var index in Enumerable.Range(0, 3))
        {
            var body = AgencyApi.Body(AgencyApi.UniqueClientId($"list{index}"));
            body["contactEmail"] = $"team{index}@{marker}.example.test";
            await AgencyApi.CreateAsync(fixture, body);
        }

        var page1 = await fixture.GetAsAdminAsync($"{AgencyApi.Path}?search={marker}&status=enabled&page=1&pageSize=2");
        var page2 = await fixture.GetAsAdminAsync($"{AgencyApi.Path}?search={marker}&status=enabled&page=2&pageSize=2");
        var disabled = await fixture.GetAsAdminAsync($"{AgencyApi.Path}?search={marker}&status=disabled");

        Assert.Equal(HttpStatusCode.OK, page1.Status);
        Assert.Equal(3, page1.Json.GetProperty("total").GetInt32());
        Assert.Equal(2, page1.Json.GetProperty("items").GetArrayLength());
        Assert.Equal(1, page2.Json.GetProperty("items").GetArrayLength());
        Assert.Equal(2, page2.Json.GetProperty("page").GetInt32());
        Assert.Equal(0, disabled.Json.GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("?status=gone")]
    [InlineData("?pageSize=500")]
    [InlineData("?colour=red")]
    public async Task List_WithBadQuery_Returns400(string query)
    {
        var response = await fixture.GetAsAdminAsync(AgencyApi.Path + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
    }

    [Fact]
    public async Task Create_WritesAuditRowWithTheAgencyAndNoSecret()
    {
        var clientId = AgencyApi.UniqueClientId("audit");
        var secret = (await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId))).GetProperty("clientSecret").GetString()!;

        var change = Assert.Single(await AgencyApi.ChangesAsync(fixture, clientId));

        Assert.Equal("agency.create", change.Action);
        Assert.Equal(TestSeed.Admin, change.ActorName);
        Assert.Null(change.Before);
        var after = JsonNode.Parse(change.After!)!.AsObject();
        Assert.Equal(clientId, after["clientId"]!.GetValue<string>());
        Assert.Equal("Land Registry", after["displayName"]!.GetValue<string>());
        Assert.DoesNotContain(secret, change.After, StringComparison.Ordinal);
        Assert.False(after.ContainsKey("clientSecret"));
    }
}
