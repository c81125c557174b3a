using System.Net;
using System.Text.Json;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.Audit;

/// <summary>
/// GET /api/admin/audit/sign-ins and /changes (issue 5, "Audit: query by time, user, agency, event type"):
/// each filter, newest first, paging, usernames, strict query parsing, 401/403. Each test filters on ids of
/// its own, so it sees only its own rows.
/// </summary>
public sealed class AuditQueryTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    private const string SignIns = "/api/admin/audit/sign-ins";
    private const string Changes = "/api/admin/audit/changes";

    // Whole seconds, a day ago: inside the default retention, and stored exactly.
    private static readonly DateTimeOffset T = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-1).AddHours(10);

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignIns_FilteredByUserId_ReturnsOnlyThatUsersEventsNewestFirst()
    {
        var user = Guid.NewGuid();
        var first = AuditRows.SignIn(T, user);
        var second = AuditRows.SignIn(T.AddMinutes(1), user, "otp");
        var third = AuditRows.SignIn(T.AddMinutes(2), user, "otp", "failure");
        await AuditRows.AddAsync(fixture.Host, first, second, third, AuditRows.SignIn(T, Guid.NewGuid()));

        var response = await fixture.GetAsAdminAsync($"{SignIns}?userId={user}");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal([third.Id, second.Id, first.Id], Ids(response));
        Assert.Equal(3, response.Json.GetProperty("total").GetInt32());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignIns_FilteredByClientId_ReturnsOnlyThatAgencysEvents()
    {
        var user = Guid.NewGuid();
        var client = AdminApiHost.UniqueClientId("audit");
        var wanted = AuditRows.SignIn(T, user, "sso", clientId: client);
        await AuditRows.AddAsync(fixture.Host, wanted, AuditRows.SignIn(T, user, "sso", clientId: client + "-other"), AuditRows.SignIn(T, user));

        var response = await fixture.GetAsAdminAsync($"{SignIns}?clientId={client}");

        Assert.Equal([wanted.Id], Ids(response));
        Assert.Equal(client, Items(response)[0].GetProperty("clientId").GetString());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignIns_FilteredByMethod_ReturnsOnlyThatMethod()
    {
        var user = Guid.NewGuid();
        var otp = AuditRows.SignIn(T.AddMinutes(1), user, "otp");
        await AuditRows.AddAsync(fixture.Host, AuditRows.SignIn(T, user, "pwd"), otp, AuditRows.SignIn(T.AddMinutes(2), user, "passkey"));

        var response = await fixture.GetAsAdminAsync($"{SignIns}?userId={user}&method=otp");

        Assert.Equal([otp.Id], Ids(response));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignIns_FilteredByOutcome_ReturnsOnlyThatOutcome()
    {
        var user = Guid.NewGuid();
        var failed = AuditRows.SignIn(T.AddMinutes(1), user, outcome: "failure");
        var locked = AuditRows.SignIn(T.AddMinutes(2), user, "otp", "locked");
        await AuditRows.AddAsync(fixture.Host, AuditRows.SignIn(T, user), failed, locked);

        var response = await fixture.GetAsAdminAsync($"{SignIns}?userId={user}&outcome=failure");

        Assert.Equal([failed.Id], Ids(response));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignIns_FromAndTo_AreInclusiveAndExclusiveAndHonourTheOffset()
    {
        var user = Guid.NewGuid();
        var inside = AuditRows.SignIn(T.AddHours(1), user);
        await AuditRows.AddAsync(fixture.Host, AuditRows.SignIn(T, user), inside, AuditRows.SignIn(T.AddHours(2), user));

        // from is T+1h written in +02:00; to is T+2h in UTC.
        var from = Uri.EscapeDataString(T.AddHours(1).ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture));
        var to = T.AddHours(2).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var response = await fixture.GetAsAdminAsync($"{SignIns}?userId={user}&from={from}&to={to}");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal([inside.Id], Ids(response));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignIns_SecondPage_ReturnsTheNextRowsWithTotal()
    {
        var user = Guid.NewGuid();
        var rows = Enumerable.Range(0, 5).Select(i => AuditRows.SignIn(T.AddMinutes(i), user)).ToArray();
        await AuditRows.AddAsync(fixture.Host, rows);

        var response = await fixture.GetAsAdminAsync($"{SignIns}?userId={user}&page=2&pageSize=2");

        Assert.Equal([rows[2].Id, rows[1].Id], Ids(response));
        Assert.Equal(5, response.Json.GetProperty("total").GetInt32());
        Assert.Equal(2, response.Json.GetProperty("page").GetInt32());
        Assert.Equal(2, response.Json.GetProperty("pageSize").GetInt32());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignIns_Item_CarriesUsernameAndEventFields()
    {
        var citizen = await AuditRows.UserIdAsync(fixture.Host, TestSeed.OtherCitizen);
        var client = AdminApiHost.UniqueClientId("named");
        var row = AuditRows.SignIn(T, citizen, "sso", clientId: client);
        await AuditRows.AddAsync(fixture.Host, row);

        var item = Assert.Single(Items(await fixture.GetAsAdminAsync($"{SignIns}?clientId={client}")));

        Assert.Equal(TestSeed.OtherCitizen, item.GetProperty("username").GetString());
        Assert.Equal(citizen, item.GetProperty("userId").GetGuid());
        Assert.Equal(T, item.GetProperty("time").GetDateTimeOffset());
        Assert.Equal("sso", item.GetProperty("method").GetString());
        Assert.Equal("success", item.GetProperty("outcome").GetString());
        Assert.Equal("192.0.2.10", item.GetProperty("ipAddress").GetString());
        Assert.Equal("TestAgent/1.0", item.GetProperty("userAgent").GetString());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignIns_EventWithoutUser_HasUsernameUnknown()
    {
        var client = AdminApiHost.UniqueClientId("nobody");
        await AuditRows.AddAsync(fixture.Host, AuditRows.SignIn(T, null, outcome: "failure", clientId: client));

        var item = Assert.Single(Items(await fixture.GetAsAdminAsync($"{SignIns}?clientId={client}")));

        Assert.Equal("unknown", item.GetProperty("username").GetString());
        Assert.Equal(JsonValueKind.Null, item.GetProperty("userId").ValueKind);
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AD-06")]
    [InlineData(SignIns + "?user=x", "user")]
    [InlineData(SignIns + "?from=2026-11-01T12:00:00", "from")]
    [InlineData(SignIns + "?from=yesterday", "from")]
    [InlineData(SignIns + "?to=2026-11-01", "to")]
    [InlineData(SignIns + "?userId=not-a-guid", "userId")]
    [InlineData(SignIns + "?pageSize=201", "pageSize")]
    [InlineData(SignIns + "?page=0", "page")]
    [InlineData(SignIns + "?method=pwd&method=otp", "method")]
    [InlineData(Changes + "?actorId=12", "actorId")]
    [InlineData(Changes + "?clientId=agency-tax", "clientId")]
    [InlineData(SignIns + ".csv?page=1", "page")]
    [InlineData(Changes + ".csv?to=soon", "to")]
    [InlineData("/api/admin/stats?range=30d", "range")]
    [InlineData("/api/admin/stats?from=2026-11-01T12:00:00Z", "from")]
    [InlineData("/api/admin/audit/retention?days=30", "days")]
    public async Task Audit_UnknownOrMalformedParameter_Returns400NamingIt(string path, string parameter)
    {
        var response = await fixture.GetAsAdminAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
        Assert.Contains($"'{parameter}'", response["error_description"], StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Changes_FilteredByTargetId_ReturnsBeforeAndAfterAsJsonObjects()
    {
        var target = AdminApiHost.UniqueClientId("changed");
        var actor = await AuditRows.UserIdAsync(fixture.Host, TestSeed.Admin);
        var change = AuditRows.Change(T, target, actorId: actor);
        await AuditRows.AddAsync(fixture.Host, change, AuditRows.Change(T, target + "-other"));

        var response = await fixture.GetAsAdminAsync($"{Changes}?targetId={target}");

        var item = Assert.Single(Items(response));
        Assert.Equal(change.Id, item.GetProperty("id").GetGuid());
        Assert.Equal(actor, item.GetProperty("actorId").GetGuid());
        Assert.Equal("admin1", item.GetProperty("actorName").GetString());
        Assert.Equal("agency.update", item.GetProperty("action").GetString());
        Assert.Equal("agency", item.GetProperty("targetType").GetString());
        Assert.Equal(target, item.GetProperty("targetId").GetString());
        Assert.Equal("192.0.2.20", item.GetProperty("ipAddress").GetString());
        Assert.Equal(JsonValueKind.Object, item.GetProperty("before").ValueKind);
        Assert.Equal("Old", item.GetProperty("before").GetProperty("displayName").GetString());
        Assert.Equal("New", item.GetProperty("after").GetProperty("displayName").GetString());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Changes_CreationWithoutBefore_ReturnsNullBefore()
    {
        var target = AdminApiHost.UniqueClientId("created");
        await AuditRows.AddAsync(fixture.Host, AuditRows.Change(T, target, "agency.create", before: null));

        var item = Assert.Single(Items(await fixture.GetAsAdminAsync($"{Changes}?targetId={target}")));

        Assert.Equal(JsonValueKind.Null, item.GetProperty("before").ValueKind);
        Assert.Equal(JsonValueKind.Object, item.GetProperty("after").ValueKind);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Changes_FilteredByActorId_ReturnsOnlyThatActorsChanges()
    {
        var actor = Guid.NewGuid();
        var target = AdminApiHost.UniqueClientId("actor");
        var mine = AuditRows.Change(T, target, actorId: actor);
        await AuditRows.AddAsync(fixture.Host, mine, AuditRows.Change(T, target, actorId: Guid.NewGuid()));

        var response = await fixture.GetAsAdminAsync($"{Changes}?actorId={actor}");

        Assert.Equal([mine.Id], Ids(response));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Changes_FilteredByTargetTypeAndAction_ReturnsOnlyMatchingChanges()
    {
        var target = AdminApiHost.UniqueClientId("typed");
        var wanted = AuditRows.Change(T, target, "user.lock", "user");
        await AuditRows.AddAsync(fixture.Host, wanted, AuditRows.Change(T, target, "user.unlock", "user"), AuditRows.Change(T, target, "user.lock", "agency"));

        var response = await fixture.GetAsAdminAsync($"{Changes}?targetId={target}&targetType=user&action=user.lock");

        Assert.Equal([wanted.Id], Ids(response));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Changes_FromAndTo_SelectTheWindowNewestFirst()
    {
        var target = AdminApiHost.UniqueClientId("window");
        var early = AuditRows.Change(T.AddMinutes(10), target);
        var late = AuditRows.Change(T.AddMinutes(20), target);
        await AuditRows.AddAsync(fixture.Host, AuditRows.Change(T, target), early, late, AuditRows.Change(T.AddMinutes(30), target));

        var from = T.AddMinutes(10).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var to = T.AddMinutes(30).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var response = await fixture.GetAsAdminAsync($"{Changes}?targetId={target}&from={from}&to={to}");

        Assert.Equal([late.Id, early.Id], Ids(response));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Retention_NeverChanged_IsTheDefault400Days()
    {
        var response = await fixture.GetAsAdminAsync("/api/admin/audit/retention");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(400, response.Json.GetProperty("days").GetInt32());
        Assert.False(string.IsNullOrEmpty(response["version"]));
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AD-06")]
    [InlineData(SignIns)]
    [InlineData(SignIns + ".csv")]
    [InlineData(Changes)]
    [InlineData(Changes + ".csv")]
    [InlineData("/api/admin/audit/retention")]
    [InlineData("/api/admin/stats")]
    public async Task Audit_WithoutToken_Returns401(string path)
    {
        var response = await fixture.GetAsync(path, accessToken: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AD-06")]
    [InlineData(SignIns)]
    [InlineData(SignIns + ".csv")]
    [InlineData(Changes)]
    [InlineData(Changes + ".csv")]
    [InlineData("/api/admin/audit/retention")]
    [InlineData("/api/admin/stats")]
    public async Task Audit_NonAdministrator_Returns403(string path)
    {
        var response = await fixture.GetAsync(path, await fixture.AccessTokenAsync(TestSeed.Citizen));

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task RetentionPut_NonAdministrator_Returns403AndChangesNothing()
    {
        var token = await fixture.AccessTokenAsync(TestSeed.Citizen);
        var before = await fixture.Host.CountRowsAsync();

        var response = await fixture.SendAsync(HttpMethod.Put, "/api/admin/audit/retention",
            new System.Text.Json.Nodes.JsonObject { ["days"] = 30, ["version"] = "00000000000000000000000000000000" }, token);

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal(before, await fixture.Host.CountRowsAsync());
    }

    private static List<JsonElement> Items(ProtocolResponse response) => [.. response.Json.GetProperty("items").EnumerateArray()];

    private static List<Guid> Ids(ProtocolResponse response) => [.. Items(response).Select(item => item.GetProperty("id").GetGuid())];
}
