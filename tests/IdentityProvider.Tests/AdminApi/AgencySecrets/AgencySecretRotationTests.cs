using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.AgencySecrets;

/// <summary>
/// <c>POST /api/admin/agencies/{clientId}/secret</c> (issue 5: "secret rotation with an overlap window in
/// which the old secret still works"): the new secret works at once, the old one for the overlap only, and
/// the audit trail never holds either. Each test rotates an agency of its own, so the tests share one host.
/// </summary>
public sealed class AgencySecretRotationTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    private const string OldSecret = "old-secret-0123456789-0123456789-abcdef";

    private OnePassHost Host => fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task Rotate_WithinOverlap_OldAndNewSecretsBothWork()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "rotate-overlap", OldSecret);

        var rotation = await RotateAsync(clientId, new JsonObject { ["version"] = await TestAgencies.VersionAsync(Host, clientId), ["overlapHours"] = 1 });

        Assert.Equal(HttpStatusCode.OK, rotation.Status);
        Assert.Equal(HttpStatusCode.OK, (await TestAgencies.ClientCredentialsAsync(Host, clientId, rotation["clientSecret"]!)).Status);
        Assert.Equal(HttpStatusCode.OK, (await TestAgencies.ClientCredentialsAsync(Host, clientId, OldSecret)).Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task Rotate_AfterOverlapEnds_OldSecretFails_NewSecretWorks()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureSeed = AdminApiHost.AddTool,
            ConfigureServices = services => services.AddSingleton<TimeProvider>(clock),
        });
        var token = (await AdminApiHost.Tool.TokensAsync(host, TestSeed.Admin))["access_token"];
        var clientId = await TestAgencies.CreateMachineAsync(host, "rotate-expiry", OldSecret);
        var rotation = await TestAgencies.SendAsync(host, HttpMethod.Post, Path(clientId), token, Json(new JsonObject
        {
            ["version"] = await TestAgencies.VersionAsync(host, clientId),
            ["overlapHours"] = 2,
        }));
        Assert.Equal(HttpStatusCode.OK, rotation.Status);
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.OK, (await TestAgencies.ClientCredentialsAsync(host, clientId, OldSecret)).Status);

        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var old = await TestAgencies.ClientCredentialsAsync(host, clientId, OldSecret);
        var current = await TestAgencies.ClientCredentialsAsync(host, clientId, rotation["clientSecret"]!);

        Assert.Equal(HttpStatusCode.Unauthorized, old.Status);
        Assert.Equal("invalid_client", old.Error);
        Assert.Equal(HttpStatusCode.OK, current.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task Rotate_WithOverlapZero_OldSecretFailsAtOnce()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "rotate-zero", OldSecret);

        var rotation = await RotateAsync(clientId, new JsonObject { ["version"] = await TestAgencies.VersionAsync(Host, clientId), ["overlapHours"] = 0 });

        Assert.Equal(HttpStatusCode.OK, rotation.Status);
        Assert.Equal("null", rotation["previousSecretExpiresAt"]);
        var old = await TestAgencies.ClientCredentialsAsync(Host, clientId, OldSecret);
        Assert.Equal(HttpStatusCode.Unauthorized, old.Status);
        Assert.Equal("invalid_client", old.Error);
        Assert.Equal(HttpStatusCode.OK, (await TestAgencies.ClientCredentialsAsync(Host, clientId, rotation["clientSecret"]!)).Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task Rotate_AnswersA256BitSecret_TheDefaultOverlap_AndANewVersion()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "rotate-answer", OldSecret);
        var version = await TestAgencies.VersionAsync(Host, clientId);
        var before = DateTimeOffset.UtcNow;

        var rotation = await RotateAsync(clientId, new JsonObject { ["version"] = version });

        Assert.Equal(HttpStatusCode.OK, rotation.Status);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", rotation["clientSecret"]); // 32 bytes, base64url
        var expiresAt = rotation.Json.GetProperty("previousSecretExpiresAt").GetDateTimeOffset();
        Assert.InRange(expiresAt, before.AddHours(24).AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(24).AddMinutes(1));
        Assert.NotEqual(version, rotation["version"]);
        Assert.Equal(await TestAgencies.VersionAsync(Host, clientId), rotation["version"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-07")]
    public async Task Rotate_WithStaleVersion_Returns409_AndChangesNothing()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "rotate-stale", OldSecret);
        var version = await TestAgencies.VersionAsync(Host, clientId);
        Assert.Equal(HttpStatusCode.OK, (await RotateAsync(clientId, new JsonObject { ["version"] = version, ["overlapHours"] = 0 })).Status);
        var current = await TestAgencies.VersionAsync(Host, clientId);
        var rowsBefore = await Host.CountRowsAsync();

        var stale = await RotateAsync(clientId, new JsonObject { ["version"] = version, ["overlapHours"] = 0 });

        Assert.Equal(HttpStatusCode.Conflict, stale.Status);
        Assert.Equal("conflict", stale.Error);
        Assert.Null(stale["clientSecret"]);
        Assert.Equal(current, await TestAgencies.VersionAsync(Host, clientId));
        Assert.Equal(rowsBefore, await Host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Rotate_WritesOneAuditRow_WithoutAnySecretOrHash()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "rotate-audit", OldSecret);

        var rotation = await RotateAsync(clientId, new JsonObject { ["version"] = await TestAgencies.VersionAsync(Host, clientId), ["overlapHours"] = 6 });

        Assert.Equal(HttpStatusCode.OK, rotation.Status);
        var change = Assert.Single(await TestAgencies.ChangesAsync(Host, clientId));
        Assert.Equal("agency.secret.rotate", change.Action);
        Assert.Equal(TestSeed.Admin, change.ActorName);
        var recorded = change.Before + change.After;
        Assert.DoesNotContain(rotation["clientSecret"]!, recorded, StringComparison.Ordinal);
        Assert.DoesNotContain(OldSecret, recorded, StringComparison.Ordinal);
        Assert.DoesNotContain("AQAAAA", recorded, StringComparison.Ordinal); // the start of every OpenIddict secret hash
        Assert.Equal(6, JsonNode.Parse(change.After!)!["overlapHours"]!.GetValue<int>());
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AD-05")]
    [InlineData("""{"version":"v","overlapHours":24,"secret":"mine-0123456789-0123456789-0123456789"}""")]
    [InlineData("""{"version":"v","overlapHours":"24"}""")]
    [InlineData("""{"version":"v",""")]
    [InlineData("")]
    public async Task Rotate_WithUnreadableBody_Returns400_AndChangesNothing(string body)
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "rotate-body", OldSecret);
        var rowsBefore = await Host.CountRowsAsync();

        var response = await TestAgencies.SendAsync(Host, HttpMethod.Post, Path(clientId), await AdminTokenAsync(),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
        Assert.Equal(rowsBefore, await Host.CountRowsAsync());
        Assert.Equal(HttpStatusCode.OK, (await TestAgencies.ClientCredentialsAsync(Host, clientId, OldSecret)).Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task Rotate_WithUnknownMember_NamesIt()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "rotate-member", OldSecret);

        var response = await RotateAsync(clientId, new JsonObject { ["version"] = "v", ["clientSecret"] = "chosen-by-the-caller" });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains("clientSecret", response["error_description"], StringComparison.Ordinal);
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AD-05")]
    [InlineData(-1)]
    [InlineData(721)]
    public async Task Rotate_WithOverlapOutOfRange_Returns400FieldError(int overlapHours)
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "rotate-range", OldSecret);
        var rowsBefore = await Host.CountRowsAsync();

        var response = await RotateAsync(clientId, new JsonObject
        {
            ["version"] = await TestAgencies.VersionAsync(Host, clientId),
            ["overlapHours"] = overlapHours,
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("overlapHours", out _), response.Body);
        Assert.Equal(rowsBefore, await Host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task Rotate_WithoutVersion_Returns400FieldError()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "rotate-noversion", OldSecret);

        var response = await RotateAsync(clientId, new JsonObject { ["overlapHours"] = 24 });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("version", out _), response.Body);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task Rotate_PublicClient_Returns400FieldError_AndChangesNothing()
    {
        var rowsBefore = await Host.CountRowsAsync();

        var response = await RotateAsync(TestSeed.PublicClient, new JsonObject
        {
            ["version"] = await TestAgencies.VersionAsync(Host, TestSeed.PublicClient),
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("clientType", out _), response.Body);
        Assert.Equal(rowsBefore, await Host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task Rotate_UnknownClient_Returns404()
    {
        var response = await RotateAsync("no-such-agency", new JsonObject { ["version"] = "v" });

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("not_found", response.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Rotate_WithoutToken_Returns401_AndKeepsTheSecret()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "rotate-anonymous", OldSecret);

        var response = await TestAgencies.SendAsync(Host, HttpMethod.Post, Path(clientId), accessToken: null,
            Json(new JsonObject { ["version"] = await TestAgencies.VersionAsync(Host, clientId) }));

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal(HttpStatusCode.OK, (await TestAgencies.ClientCredentialsAsync(Host, clientId, OldSecret)).Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task OpenApiDocument_DescribesRotation_WithItsJsonBody()
    {
        var document = await TestAgencies.SendAsync(Host, HttpMethod.Get, "/openapi/v1.json", accessToken: null);

        Assert.Equal(HttpStatusCode.OK, document.Status);
        var operation = document.Json.GetProperty("paths").GetProperty("/api/admin/agencies/{clientId}/secret").GetProperty("post");
        Assert.Equal("RotateAgencySecret", operation.GetProperty("operationId").GetString());
        Assert.True(operation.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(operation.GetProperty("responses").TryGetProperty("409", out _));
    }

    private static string Path(string clientId) => $"/api/admin/agencies/{Uri.EscapeDataString(clientId)}/secret";

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    private Task<string> AdminTokenAsync() => fixture.AccessTokenAsync(TestSeed.Admin);

    private Task<ProtocolResponse> RotateAsync(string clientId, JsonObject body) => fixture.SendAsAdminAsync(HttpMethod.Post, Path(clientId), body);
}
