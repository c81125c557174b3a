using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Features.AdminApi.Audit;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.Audit;

/// <summary>
/// The audit retention setting (issue 5, "retention setting"): GET/PUT with version and 409, validation,
/// the change audited, and the sweep that deletes only rows older than the retention.
/// </summary>
public sealed class AuditRetentionTests(AuditClockHost fixture) : IClassFixture<AuditClockHost>
{
    private const string Path = "/api/admin/audit/retention";

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task RetentionPut_WithCurrentVersion_StoresDaysAndGivesANewVersion()
    {
        var current = await ReadAsync();

        var response = await PutAsync(current.Days == 90 ? 91 : 90, current.Version);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var stored = await ReadAsync();
        Assert.Equal(current.Days == 90 ? 91 : 90, stored.Days);
        Assert.Equal(response["version"], stored.Version);
        Assert.NotEqual(current.Version, stored.Version);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task RetentionPut_Accepted_WritesASettingUpdateChangeWithBeforeAndAfter()
    {
        var current = await ReadAsync();
        var days = current.Days == 120 ? 121 : 120;
        fixture.Time.Advance(TimeSpan.FromSeconds(1)); // newer than this class's other changes on the standing clock

        await PutAsync(days, current.Version);

        var changes = await fixture.GetAsync($"/api/admin/audit/changes?targetType=setting&targetId={AuditRetention.SettingName}&pageSize=1");
        var change = changes.Json.GetProperty("items")[0];
        Assert.Equal("setting.update", change.GetProperty("action").GetString());
        Assert.Equal(TestSeed.Admin, change.GetProperty("actorName").GetString());
        Assert.Equal(current.Days, change.GetProperty("before").GetProperty("days").GetInt32());
        Assert.Equal(days, change.GetProperty("after").GetProperty("days").GetInt32());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-07")]
    public async Task RetentionPut_WithStaleVersion_Returns409AndChangesNothing()
    {
        var stale = await ReadAsync();
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(stale.Days == 200 ? 201 : 200, stale.Version)).Status);
        var current = await ReadAsync();
        var rows = await fixture.Host.CountRowsAsync();

        var response = await PutAsync(365, stale.Version);

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal("conflict", response.Error);
        Assert.Equal(current, await ReadAsync());
        Assert.Equal(rows, await fixture.Host.CountRowsAsync());
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AD-06")]
    [InlineData(29)]
    [InlineData(3651)]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task RetentionPut_DaysOutOfRange_Returns400WithFieldErrorAndChangesNothing(int days)
    {
        var current = await ReadAsync();
        var rows = await fixture.Host.CountRowsAsync();

        var response = await PutAsync(days, current.Version);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("days", out _));
        Assert.Equal(current, await ReadAsync());
        Assert.Equal(rows, await fixture.Host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task RetentionPut_WithoutVersion_Returns400WithFieldError()
    {
        var response = await fixture.SendAsync(HttpMethod.Put, Path, new JsonObject { ["days"] = 60 });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("version", out _));
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AD-06")]
    [InlineData("{\"days\":60,\"version\":\"x\",\"extra\":1}")]
    [InlineData("{\"days\":\"60\",\"version\":\"x\"}")]
    [InlineData("{\"days\":60.5,\"version\":\"x\"}")]
    [InlineData("{\"days\":60,")]
    [InlineData("")]
    public async Task RetentionPut_MalformedBody_Returns400InvalidRequest(string body)
    {
        using var client = fixture.Host.CreateProtocolClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, Path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await fixture.TokenAsync());

        var response = await ProtocolResponse.ReadAsync(await client.SendAsync(request));

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Sweep_AfterRetentionSet_DeletesOnlyRowsOlderThanIt()
    {
        await SetAsync(30);
        var now = fixture.Time.GetUtcNow();
        var (oldEvent, youngEvent) = (AuditRows.SignIn(now.AddDays(-30).AddMinutes(-1), Guid.NewGuid()), AuditRows.SignIn(now.AddDays(-29), Guid.NewGuid()));
        var (oldChange, youngChange) = (AuditRows.Change(now.AddDays(-31), "sweep-old"), AuditRows.Change(now.AddDays(-30).AddMinutes(1), "sweep-young"));
        await AuditRows.AddAsync(fixture.Host, oldEvent, youngEvent);
        await AuditRows.AddAsync(fixture.Host, oldChange, youngChange);

        await fixture.Host.WithServicesAsync(services => services.GetRequiredService<AuditRetentionSweeper>().SweepOnceAsync());

        Assert.Equal([youngEvent.Id], await ExistingAsync(oldEvent.Id, youngEvent.Id));
        Assert.Equal([youngChange.Id], await ExistingAsync(oldChange.Id, youngChange.Id));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Sweeper_WhenTheIntervalPasses_DeletesOldRowsOnItsOwn()
    {
        await SetAsync(30);
        var now = fixture.Time.GetUtcNow();
        var old = AuditRows.SignIn(now.AddDays(-45), Guid.NewGuid());
        var young = AuditRows.SignIn(now.AddDays(-1), Guid.NewGuid());
        await AuditRows.AddAsync(fixture.Host, old, young);

        fixture.Time.Advance(AuditClockHost.SweepInterval);

        // The sweep runs on the background service's own task: wait for its effect, with a deadline.
        var watch = Stopwatch.StartNew();
        while ((await ExistingAsync(old.Id)).Count > 0 && watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50);
        }

        Assert.Equal([young.Id], await ExistingAsync(old.Id, young.Id));
    }

    private async Task<RetentionView> ReadAsync()
    {
        var response = await fixture.GetAsync(Path);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return response.Json.Deserialize<RetentionView>(Web)!;
    }

    private Task<ProtocolResponse> PutAsync(int days, string version) =>
        fixture.SendAsync(HttpMethod.Put, Path, new JsonObject { ["days"] = days, ["version"] = version });

    private async Task SetAsync(int days)
    {
        var current = await ReadAsync();
        if (current.Days != days)
        {
            Assert.Equal(HttpStatusCode.OK, (await PutAsync(days, current.Version)).Status);
        }
    }

    private Task<List<Guid>> ExistingAsync(params Guid[] ids) => fixture.Host.WithDatabaseAsync(async db =>
    {
        var events = await db.AuthEvents.Where(e => ids.Contains(e.Id)).Select(e => e.Id).ToListAsync();
        var changes = await db.AdminChanges.Where(c => ids.Contains(c.Id)).Select(c => c.Id).ToListAsync();
        return events.Concat(changes).ToList();
    });
}
