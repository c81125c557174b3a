using System.Net;
using System.Text.Json;
using OnePass.IdentityProvider.Data;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi;

/// <summary>
/// Delivery status of back-channel logout (issue 3) through GET /api/admin/logout-notifications and its
/// summary: filters, newest first, limits, strict query parsing, and no personal data (CATALOGUE FT-16).
/// Each test writes rows for client ids of its own.
/// </summary>
public sealed class LogoutNotificationEndpointTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    private const string Path = "/api/admin/logout-notifications";
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task List_AfterLogoutQueued_ReturnsRowsNewestFirstWithDeliveryFields()
    {
        var client = AdminApiHost.UniqueClientId("list");
        var older = AdminApiHost.Notification(client, LogoutNotificationStatus.Failed, Start);
        var newer = AdminApiHost.Notification(client, LogoutNotificationStatus.Pending, Start.AddMinutes(5));
        await fixture.AddNotificationsAsync(older, newer);

        var response = await fixture.GetAsAdminAsync($"{Path}?clientId={client}");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var items = Items(response);
        Assert.Equal([newer.Id, older.Id], items.Select(item => item.GetProperty("id").GetGuid()));
        var pending = items[0];
        Assert.Equal(client, pending.GetProperty("clientId").GetString());
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        Assert.Equal(0, pending.GetProperty("attempts").GetInt32());
        Assert.Equal(newer.CreatedAt, pending.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.String, pending.GetProperty("nextAttemptAt").ValueKind);
        Assert.Equal("SignedOut", pending.GetProperty("reason").GetString());
        var failed = items[1];
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal(8, failed.GetProperty("attempts").GetInt32());
        Assert.Equal(503, failed.GetProperty("lastStatusCode").GetInt32());
        Assert.Equal("The agency answered 503.", failed.GetProperty("lastError").GetString());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("nextAttemptAt").ValueKind);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task List_Never_ContainsSubjectSessionIdOrToken()
    {
        var client = AdminApiHost.UniqueClientId("private");
        var row = AdminApiHost.Notification(client, LogoutNotificationStatus.Delivered, Start,
            subject: "pairwise-subject-8f2c1e", sessionId: "per-agency-sid-77ad0b");
        await fixture.AddNotificationsAsync(row);

        var response = await fixture.GetAsAdminAsync($"{Path}?clientId={client}");

        var item = Assert.Single(Items(response));
        var names = item.EnumerateObject().Select(property => property.Name).ToList();
        Assert.DoesNotContain(names, name => name is "subject" or "sub" or "sessionId" or "sid" or "tokenId" or "jti" or "token" or "uri");
        Assert.DoesNotContain("pairwise-subject-8f2c1e", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("per-agency-sid-77ad0b", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(row.TokenId, response.Body, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task List_DeliveredRow_HasDeliveredAtAndNoNextAttempt()
    {
        var client = AdminApiHost.UniqueClientId("delivered");
        var row = AdminApiHost.Notification(client, LogoutNotificationStatus.Delivered, Start);
        await fixture.AddNotificationsAsync(row);

        var response = await fixture.GetAsAdminAsync($"{Path}?clientId={client}");

        var item = Assert.Single(Items(response));
        Assert.Equal("delivered", item.GetProperty("status").GetString());
        Assert.Equal(row.DeliveredAt, item.GetProperty("deliveredAt").GetDateTimeOffset());
        Assert.Equal(200, item.GetProperty("lastStatusCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, item.GetProperty("nextAttemptAt").ValueKind);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task List_WithStatusFilter_ReturnsOnlyThatStatus()
    {
        var client = AdminApiHost.UniqueClientId("status");
        var failed = AdminApiHost.Notification(client, LogoutNotificationStatus.Failed, Start);
        await fixture.AddNotificationsAsync(
            AdminApiHost.Notification(client, LogoutNotificationStatus.Pending, Start),
            AdminApiHost.Notification(client, LogoutNotificationStatus.Delivered, Start),
            failed);

        var response = await fixture.GetAsAdminAsync($"{Path}?status=failed&clientId={client}");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(failed.Id, Assert.Single(Items(response)).GetProperty("id").GetGuid());
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task List_WithClientFilter_ReturnsOnlyThatAgency()
    {
        var mine = AdminApiHost.UniqueClientId("mine");
        var other = AdminApiHost.UniqueClientId("other");
        await fixture.AddNotificationsAsync(
            AdminApiHost.Notification(mine, LogoutNotificationStatus.Delivered, Start),
            AdminApiHost.Notification(other, LogoutNotificationStatus.Delivered, Start.AddMinutes(1)));

        var response = await fixture.GetAsAdminAsync($"{Path}?clientId={mine}");

        Assert.Equal(mine, Assert.Single(Items(response)).GetProperty("clientId").GetString());
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task List_WithLimit_ReturnsThatManyNewest()
    {
        var client = AdminApiHost.UniqueClientId("limit");
        var rows = Enumerable.Range(0, 5)
            .Select(i => AdminApiHost.Notification(client, LogoutNotificationStatus.Delivered, Start.AddMinutes(i)))
            .ToArray();
        await fixture.AddNotificationsAsync(rows);

        var response = await fixture.GetAsAdminAsync($"{Path}?clientId={client}&limit=2");

        Assert.Equal([rows[4].Id, rows[3].Id], Items(response).Select(item => item.GetProperty("id").GetGuid()));
    }

    [Theory]
    [Trait(Catalogue.Row, "FT-16")]
    [InlineData("status=lost", "status")]
    [InlineData("status=Pending", "status")]
    [InlineData("status=", "status")]
    [InlineData("status=pending&status=failed", "status")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("limit=99999999999999999999", "limit")]
    [InlineData("clientId=", "clientId")]
    [InlineData("state=pending", "state")]
    public async Task List_WithBadQuery_Returns400InvalidRequest(string query, string parameter)
    {
        var token = await fixture.AccessTokenAsync(TestSeed.Admin);
        var before = await fixture.Host.CountRowsAsync();

        var response = await fixture.GetAsync($"{Path}?{query}", token);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
        Assert.Contains($"'{parameter}'", response["error_description"], StringComparison.Ordinal);
        Assert.Equal(before, await fixture.Host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task List_WithTooLongClientId_Returns400InvalidRequest()
    {
        var response = await fixture.GetAsAdminAsync($"{Path}?clientId={new string('a', 101)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task List_WithMaximumLimit_Returns200()
    {
        var response = await fixture.GetAsAdminAsync($"{Path}?limit=500");

        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task Summary_CountsPerStatusAndPerAgency()
    {
        var first = AdminApiHost.UniqueClientId("sum-a");
        var second = AdminApiHost.UniqueClientId("sum-b");
        await fixture.AddNotificationsAsync(
            AdminApiHost.Notification(first, LogoutNotificationStatus.Pending, Start),
            AdminApiHost.Notification(first, LogoutNotificationStatus.Delivered, Start),
            AdminApiHost.Notification(first, LogoutNotificationStatus.Delivered, Start),
            AdminApiHost.Notification(second, LogoutNotificationStatus.Failed, Start));

        var response = await fixture.GetAsAdminAsync($"{Path}/summary");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var byClient = response.Json.GetProperty("byClient").EnumerateArray()
            .ToDictionary(entry => entry.GetProperty("clientId").GetString()!, entry => entry, StringComparer.Ordinal);
        Assert.Equal((3, 1, 2, 0), Counts(byClient[first]));
        Assert.Equal((1, 0, 0, 1), Counts(byClient[second]));
        var byStatus = response.Json.GetProperty("byStatus");
        Assert.Equal(response.Json.GetProperty("total").GetInt32(),
            byStatus.GetProperty("pending").GetInt32() + byStatus.GetProperty("delivered").GetInt32() + byStatus.GetProperty("failed").GetInt32());
        Assert.Equal(response.Json.GetProperty("total").GetInt32(), byClient.Values.Sum(entry => entry.GetProperty("total").GetInt32()));
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task Summary_WithQueryParameter_Returns400InvalidRequest()
    {
        var response = await fixture.GetAsAdminAsync($"{Path}/summary?status=failed");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Summary_WithoutToken_Returns401()
    {
        var response = await fixture.GetAsync($"{Path}/summary", accessToken: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
    }

    private static List<JsonElement> Items(ProtocolResponse response)
    {
        Assert.True(response.Status == HttpStatusCode.OK, $"{response.Status}: {response.Body}");
        return [.. response.Json.GetProperty("items").EnumerateArray()];
    }

    private static (int Total, int Pending, int Delivered, int Failed) Counts(JsonElement entry) => (
        entry.GetProperty("total").GetInt32(), entry.GetProperty("pending").GetInt32(),
        entry.GetProperty("delivered").GetInt32(), entry.GetProperty("failed").GetInt32());
}
