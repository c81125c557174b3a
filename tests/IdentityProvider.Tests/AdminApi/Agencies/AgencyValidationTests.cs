using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.Agencies;

/// <summary>
/// Every registration rule answers 400 with a message under the offending field and writes nothing
/// (issue 5 "every validation rule above with its field error"; CATALOGUE IN-AD-01, IN-AD-02, IN-AD-04,
/// IN-AD-05). The host runs with OnePass__RequireHttps=false, so loopback http is allowed here; the https
/// and Production rules are in <see cref="AgencyProductionRulesTests"/>.
/// </summary>
public sealed class AgencyValidationTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    public static TheoryData<string, string, string, string> BadRedirectUris => new()
    {
        // case, redirect URI, field, a word of the message
        { "wildcard", "https://*.agency.example.test/cb", "redirectUris[0]", "wildcard" },
        { "fragment", "https://agency.example.test/cb#frag", "redirectUris[0]", "fragment" },
        { "javascript", "javascript:alert(1)", "redirectUris[0]", "javascript" },
        { "data", "data:text/html,<script>alert(1)</script>", "redirectUris[0]", "data" },
        { "relative", "/signin-oidc", "redirectUris[0]", "absolute" },
        { "no scheme", "agency.example.test/cb", "redirectUris[0]", "absolute" },
        { "user info", "https://user:pw@agency.example.test/cb", "redirectUris[0]", "user information" },
        { "metadata", "http://169.254.169.254/latest/meta-data", "redirectUris[0]", "metadata" },
    };

    [Theory]
    [MemberData(nameof(BadRedirectUris))]
    [Trait(Catalogue.Row, "IN-AD-01")]
    public async Task Create_WithBadRedirectUri_Returns400UnderTheItemAndPersistsNothing(string @case, string uri, string field, string word)
    {
        var body = AgencyApi.Body(AgencyApi.UniqueClientId("redirect"));
        body["redirectUris"] = new JsonArray(uri);

        var messages = await RefusedAsync(body, field);

        Assert.True(messages.Any(m => m.Contains(word, StringComparison.OrdinalIgnoreCase)), $"{@case}: {string.Join(" | ", messages)}");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-01")]
    public async Task Create_WithBadSecondRedirectUri_NamesThatItem()
    {
        var clientId = AgencyApi.UniqueClientId("second");
        var body = AgencyApi.Body(clientId);
        body["redirectUris"] = new JsonArray(AgencyApi.RedirectUri(clientId), "https://agency.example.test/cb#x");

        var messages = await RefusedAsync(body, "redirectUris[1]");

        Assert.Contains(messages, m => m.Contains("fragment", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("postLogoutRedirectUris", "javascript:alert(1)")]
    [InlineData("postLogoutRedirectUris", "https://agency.example.test/out#x")]
    [Trait(Catalogue.Row, "IN-AD-01")]
    public async Task Create_WithBadPostLogoutRedirectUri_Returns400UnderTheItem(string field, string uri)
    {
        var body = AgencyApi.Body(AgencyApi.UniqueClientId("postlogout"));
        body[field] = new JsonArray(uri);

        await RefusedAsync(body, $"{field}[0]");
    }

    [Theory]
    [InlineData("backchannelLogoutUri", "http://169.254.169.254/latest/meta-data")]
    [InlineData("backchannelLogoutUri", "http://metadata.google.internal/computeMetadata/v1")]
    [InlineData("backchannelLogoutUri", "http://[fe80::1]/bcl")]
    [InlineData("backchannelLogoutUri", "http://[::ffff:169.254.169.254]/bcl")]
    [InlineData("frontchannelLogoutUri", "http://169.254.169.254/fcl")]
    [InlineData("frontchannelLogoutUri", "javascript:alert(1)")]
    [Trait(Catalogue.Row, "IN-AD-04")]
    public async Task Create_WithLogoutUriToLinkLocalOrMetadata_Returns400UnderTheField(string field, string uri)
    {
        var body = AgencyApi.Body(AgencyApi.UniqueClientId("logout"));
        body[field] = uri;

        await RefusedAsync(body, field);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-02")]
    [Trait(Catalogue.Row, "AT-24")]
    public async Task Create_WithMarkupDisplayName_StoresAndReturnsItVerbatim()
    {
        const string markup = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
        var clientId = AgencyApi.UniqueClientId("markup");
        var body = AgencyApi.Body(clientId);
        body["displayName"] = markup;

        await AgencyApi.CreateAsync(fixture, body);

        var stored = await fixture.Host.WithDatabaseAsync(db => db.Database
            .SqlQuery<string>($"SELECT \"DisplayName\" AS \"Value\" FROM \"OpenIddictApplications\" WHERE \"ClientId\" = {clientId}")
            .SingleAsync());
        var read = await AgencyApi.GetAsync(fixture, clientId);
        Assert.Equal(markup, stored);
        Assert.Equal(markup, read.Json.GetProperty("displayName").GetString());
        Assert.Equal("application/json", read.Response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("5000 characters", 5000, "200")]
    [InlineData("right-to-left override", -1, "bidirectional")]
    [InlineData("isolate", -2, "bidirectional")]
    [InlineData("control character", -3, "control")]
    [InlineData("empty", 0, "required")]
    [InlineData("blank", -4, "blank")]
    [Trait(Catalogue.Row, "IN-AD-02")]
    public async Task Create_WithBadDisplayName_Returns400UnderDisplayName(string @case, int kind, string word)
    {
        var body = AgencyApi.Body(AgencyApi.UniqueClientId("name"));
        body["displayName"] = kind switch
        {
            -1 => "National Tax \u202Eecivres",
            -2 => "Tax \u2067Service\u2069",
            -3 => "Tax\u0007Service",
            -4 => "   ",
            _ => new string('x', kind),
        };

        var messages = await RefusedAsync(body, "displayName");

        Assert.True(messages.Any(m => m.Contains(word, StringComparison.OrdinalIgnoreCase)), $"{@case}: {string.Join(" | ", messages)}");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-02")]
    public async Task Create_WithDisplayNameOf200Characters_Succeeds()
    {
        var body = AgencyApi.Body(AgencyApi.UniqueClientId("long"));
        body["displayName"] = new string('é', 200);

        var response = await fixture.SendAsAdminAsync(HttpMethod.Post, AgencyApi.Path, body);

        Assert.Equal(HttpStatusCode.Created, response.Status);
    }

    [Theory]
    [InlineData(TestSeed.Citizen, "username")]
    [InlineData("CITIZEN1", "username")]
    [InlineData(TestSeed.TaxClient, "agency")]
    [InlineData("AGENCY-TAX", "agency")]
    [InlineData("bad id with spaces", "letters")]
    [InlineData("", "letters")]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task Create_WithClientIdTakenOrMalformed_Returns400UnderClientId(string clientId, string word)
    {
        var body = AgencyApi.Body("placeholder");
        body["clientId"] = clientId;
        body["redirectUris"] = new JsonArray("http://127.0.0.1:7020/taken/signin-oidc");

        var messages = await RefusedAsync(body, "clientId");

        Assert.Contains(messages, m => m.Contains(word, StringComparison.OrdinalIgnoreCase));
    }

    public static TheoryData<string, string, string> BadFields => new()
    {
        // changes (JSON merged into a valid body), field, a word of the message
        { """{"clientType": "hybrid"}""", "clientType", "confidential" },
        { """{"grantTypes": []}""", "grantTypes", "at least one" },
        { """{"grantTypes": ["password"]}""", "grantTypes", "password" },
        { """{"grantTypes": ["authorization_code", null]}""", "grantTypes", "list of strings" },
        { """{"grantTypes": ["refresh_token"], "redirectUris": []}""", "grantTypes", "authorization_code" },
        { """{"redirectUris": []}""", "redirectUris", "at least one" },
        { """{"redirectUris": null}""", "redirectUris", "list of strings" },
        { """{"scopes": ["openid", "tax.secret-data"]}""", "scopes", "tax.secret-data" },
        { """{"consent": "external"}""", "consent", "explicit" },
        { """{"subjectType": "random"}""", "subjectType", "pairwise" },
        { """{"minimumAcr": "urn:onepass:loa:9"}""", "minimumAcr", "loa" },
        { """{"contactEmail": "not an address"}""", "contactEmail", "e-mail" },
        { """{"redirectUris": ["http://127.0.0.1:7020/a/cb", "http://127.0.0.1:7020/a/cb"]}""", "redirectUris", "twice" },
        { """{"redirectUris": ["http://127.0.0.1:7020/a/cb", "http://localhost:7020/a/cb"]}""", "sectorIdentifier", "sectorIdentifier" },
        { """{"version": "abc"}""", "version", "version" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task Create_WithBadField_Returns400UnderThatField(string changes, string field, string word)
    {
        var body = AgencyApi.Body(AgencyApi.UniqueClientId("field"));
        foreach (var (name, value) in JsonNode.Parse(changes)!.AsObject())
        {
            body[name] = value?.DeepClone();
        }

        var messages = await RefusedAsync(body, field);

        Assert.True(messages.Any(m => m.Contains(word, StringComparison.OrdinalIgnoreCase)), $"{field}: {string.Join(" | ", messages)}");
    }

    [Fact]
    public async Task Create_PublicClientWithoutPkce_Returns400UnderRequirePkce()
    {
        var body = AgencyApi.Body(AgencyApi.UniqueClientId("nopkce"), "public");
        body["requirePkce"] = false;

        var messages = await RefusedAsync(body, "requirePkce");

        Assert.Contains(messages, m => m.Contains("PKCE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_PublicClientWithClientCredentials_Returns400UnderGrantTypes()
    {
        var body = AgencyApi.Body(AgencyApi.UniqueClientId("pubcc"), "public");
        body["grantTypes"] = new JsonArray("authorization_code", "client_credentials");

        var messages = await RefusedAsync(body, "grantTypes");

        Assert.Contains(messages, m => m.Contains("client_credentials", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_WithSeveralBadFields_ReportsEachUnderItsField()
    {
        var body = AgencyApi.Body(AgencyApi.UniqueClientId("many"));
        body["displayName"] = "";
        body["consent"] = "maybe";
        body["backchannelLogoutUri"] = "http://169.254.169.254/";

        var response = await fixture.SendAsAdminAsync(HttpMethod.Post, AgencyApi.Path, body);

        Assert.NotEmpty(AgencyApi.FieldErrors(response, "displayName"));
        Assert.NotEmpty(AgencyApi.FieldErrors(response, "consent"));
        Assert.NotEmpty(AgencyApi.FieldErrors(response, "backchannelLogoutUri"));
    }

    [Fact]
    public async Task Create_WithUnknownMember_Returns400NamingItAndPersistsNothing()
    {
        var body = AgencyApi.Body(AgencyApi.UniqueClientId("unknown"));
        body["colour"] = "red";
        await fixture.AccessTokenAsync(TestSeed.Admin);
        var counts = await fixture.Host.CountRowsAsync();

        var response = await fixture.SendAsAdminAsync(HttpMethod.Post, AgencyApi.Path, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
        Assert.Contains("colour", response["error_description"], StringComparison.Ordinal);
        Assert.Equal(counts, await fixture.Host.CountRowsAsync());
    }

    [Theory]
    [InlineData("{\"clientId\": ")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("{\"requirePkce\": \"yes\"}")]
    [InlineData("{\"clientId\": \"a\", \"clientId\": \"b\"}")]
    public async Task Create_WithUnreadableBody_Returns400(string json)
    {
        var token = await fixture.AccessTokenAsync(TestSeed.Admin);
        var counts = await fixture.Host.CountRowsAsync();
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");

        var response = await AgencySecrets.TestAgencies.SendAsync(fixture.Host, HttpMethod.Post, AgencyApi.Path, token, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
        Assert.Equal(counts, await fixture.Host.CountRowsAsync());
    }

    [Fact]
    public async Task Create_WithFormBody_Returns400()
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["clientId"] = "form" });

        var response = await AgencySecrets.TestAgencies.SendAsync(
            fixture.Host, HttpMethod.Post, AgencyApi.Path, await fixture.AccessTokenAsync(TestSeed.Admin), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
    }

    [Fact]
    public async Task Update_ChangingClientIdOrClientType_Returns400UnderEachAndChangesNothing()
    {
        var clientId = AgencyApi.UniqueClientId("immutable");
        var created = await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));
        var body = AgencyApi.EditBody(created);
        body["clientId"] = clientId + "-renamed";
        body["clientType"] = "public";
        body["displayName"] = "Renamed";

        var response = await fixture.SendAsAdminAsync(HttpMethod.Put, $"{AgencyApi.Path}/{clientId}", body);

        Assert.NotEmpty(AgencyApi.FieldErrors(response, "clientId"));
        Assert.NotEmpty(AgencyApi.FieldErrors(response, "clientType"));
        var read = await AgencyApi.ReadAsync(fixture, clientId);
        Assert.Equal("Land Registry", read.GetProperty("displayName").GetString());
        Assert.Equal(AgencyApi.Version(created), AgencyApi.Version(read));
    }

    [Fact]
    public async Task Update_WithBadRedirectUri_Returns400AndChangesNothing()
    {
        var clientId = AgencyApi.UniqueClientId("badedit");
        var created = await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));
        var body = AgencyApi.EditBody(created);
        body["redirectUris"] = new JsonArray("javascript:alert(1)");
        var counts = await fixture.Host.CountRowsAsync();

        var response = await fixture.SendAsAdminAsync(HttpMethod.Put, $"{AgencyApi.Path}/{clientId}", body);

        Assert.NotEmpty(AgencyApi.FieldErrors(response, "redirectUris[0]"));
        Assert.Equal(counts, await fixture.Host.CountRowsAsync());
        Assert.Equal(AgencyApi.Version(created), AgencyApi.Version(await AgencyApi.ReadAsync(fixture, clientId)));
    }

    /// <summary>Posts the body, expects a 400 with an error under <paramref name="field"/>, and checks that no row changed.</summary>
    private async Task<string[]> RefusedAsync(JsonObject body, string field)
    {
        await fixture.AccessTokenAsync(TestSeed.Admin); // issued before counting: its rows are not the call's
        var counts = await fixture.Host.CountRowsAsync();

        var response = await fixture.SendAsAdminAsync(HttpMethod.Post, AgencyApi.Path, body);

        var messages = AgencyApi.FieldErrors(response, field);
        Assert.Equal(counts, await fixture.Host.CountRowsAsync());
        return messages;
    }
}
