using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Agencies;
using OnePass.IdentityProvider.Infrastructure;
using OnePass.IdentityProvider.Tests.AdminApi;
using OnePass.IdentityProvider.Tests.AdminApi.Agencies;
using OnePass.IdentityProvider.Tests.AdminApi.AgencySecrets;
using OnePass.TestKit;
using OpenIddict.EntityFrameworkCore.Models;

namespace OnePass.IdentityProvider.Tests.Performance;

/// <summary>
/// The node-wide agency cache (issue 7) seen through HTTP: an agency a request just cached is still changed at once by
/// the admin API (disable, secret rotation, redirect URIs), because every change through the application manager drops
/// the cached copy.
/// </summary>
public sealed class AgencyCacheTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    private const string OldSecret = "old-secret-0123456789-0123456789-abcdef";

    private OnePassHost Host => fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-02")]
    public async Task ClientCredentials_RightAfterTheCachedAgencyIsDisabled_IsInvalidClient()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "cache-disable", OldSecret);
        Assert.Equal(HttpStatusCode.OK, (await TestAgencies.ClientCredentialsAsync(Host, clientId, OldSecret)).Status);
        var disabled = await AgencyApi.SetEnabledAsync(fixture, clientId, enabled: false, await TestAgencies.VersionAsync(Host, clientId));
        Assert.True(disabled.Status == HttpStatusCode.OK, disabled.Body);

        var response = await TestAgencies.ClientCredentialsAsync(Host, clientId, OldSecret);

        Assert.Equal("invalid_client", response.Error);
        Assert.Contains("disabled", response["error_description"], StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task ClientCredentials_RightAfterRotationWithoutOverlap_RefusesOldSecretAndAcceptsNewOne()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "cache-rotate", OldSecret);
        Assert.Equal(HttpStatusCode.OK, (await TestAgencies.ClientCredentialsAsync(Host, clientId, OldSecret)).Status);
        var rotation = await RotateAsync(clientId, overlapHours: 0);

        var old = await TestAgencies.ClientCredentialsAsync(Host, clientId, OldSecret);
        var current = await TestAgencies.ClientCredentialsAsync(Host, clientId, rotation);

        Assert.Equal(HttpStatusCode.Unauthorized, old.Status);
        Assert.Equal("invalid_client", old.Error);
        Assert.Equal(HttpStatusCode.OK, current.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task ClientCredentials_RightAfterRotationWithOverlap_AcceptsNewSecretAndStillTheOldOne()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "cache-overlap", OldSecret);
        Assert.Equal(HttpStatusCode.OK, (await TestAgencies.ClientCredentialsAsync(Host, clientId, OldSecret)).Status);
        var rotation = await RotateAsync(clientId, overlapHours: 1);

        var current = await TestAgencies.ClientCredentialsAsync(Host, clientId, rotation);
        var old = await TestAgencies.ClientCredentialsAsync(Host, clientId, OldSecret);

        Assert.Equal(HttpStatusCode.OK, current.Status);
        Assert.Equal(HttpStatusCode.OK, old.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-02")]
    public async Task Authorize_RightAfterRedirectUrisAreReplaced_RefusesTheOldUri()
    {
        var agency = await CachedCodeFlowAgencyAsync("cache-redirect-old");
        await ReplaceRedirectUriAsync(agency.ClientId, NewRedirectUri(agency.ClientId));
        using var browser = Host.CreateBrowser();

        var page = await browser.NavigateAsync(new AuthorizationRequest(agency.ClientId, agency.RedirectUri) { Scope = agency.Scope }.ToUrl());

        Assert.False(page.StoppedAtRedirect, $"Redirected to {page.Uri}");
        Assert.Null(page.Response.Headers.Location);
        Assert.InRange((int)page.Status, 400, 499);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-02")]
    public async Task Authorize_RightAfterRedirectUrisAreReplaced_SendsTheCodeToTheNewUri()
    {
        var agency = await CachedCodeFlowAgencyAsync("cache-redirect-new");
        await ReplaceRedirectUriAsync(agency.ClientId, NewRedirectUri(agency.ClientId));
        var moved = agency with { RedirectUri = NewRedirectUri(agency.ClientId) };

        var tokens = await moved.TokensAsync(Host);

        Assert.NotNull(tokens["id_token"]);
    }

    private static string NewRedirectUri(string clientId) => $"http://127.0.0.1:7020/{clientId}/moved-callback";

    // An agency of the code flow whose row is in the cache: a citizen just signed in through it.
    private async Task<Agency> CachedCodeFlowAgencyAsync(string prefix)
    {
        var clientId = AgencyApi.UniqueClientId(prefix);
        var created = await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));
        var agency = AgencyApi.AsAgency(clientId, created.GetProperty("clientSecret").GetString());
        await agency.CodeAsync(Host);
        return agency;
    }

    private async Task ReplaceRedirectUriAsync(string clientId, string redirectUri)
    {
        var edit = AgencyApi.EditBody(await AgencyApi.ReadAsync(fixture, clientId));
        edit["redirectUris"] = new JsonArray(redirectUri);
        var response = await fixture.SendAsAdminAsync(HttpMethod.Put, $"{AgencyApi.Path}/{clientId}", edit);
        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
    }

    private async Task<string> RotateAsync(string clientId, int overlapHours)
    {
        var response = await fixture.SendAsAdminAsync(HttpMethod.Post, $"{AgencyApi.Path}/{Uri.EscapeDataString(clientId)}/secret",
            new JsonObject { ["version"] = await TestAgencies.VersionAsync(Host, clientId), ["overlapHours"] = overlapHours });
        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
        return response["clientSecret"]!;
    }
}

/// <summary>
/// The cache serves: once an agency is cached, a <c>client_credentials</c> request reads nothing about it from the
/// database (the lookup was a third of the busy time of such a request before issue 7).
/// </summary>
public sealed class AgencyCacheCommandTests : IDisposable
{
    private readonly TokenEndpointCommands _commands = new();
    private readonly OnePassHost _host;

    public AgencyCacheCommandTests()
    {
        _host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureServices = services => services.ConfigureDbContext<SqliteOnePassDbContext>(options => options.AddInterceptors(_commands)),
        });
    }

    public void Dispose() => _host.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "LD-01")]
    public async Task ClientCredentials_ForACachedAgency_SelectsNoApplicationRow()
    {
        var first = await TestAgencies.ClientCredentialsAsync(_host, TestSeed.MachineClient, TestSeed.MachineSecret);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Contains(_commands.Texts, text => text.Contains("OpenIddictApplications", StringComparison.Ordinal)); // the first one read it
        _commands.Clear();

        var second = await TestAgencies.ClientCredentialsAsync(_host, TestSeed.MachineClient, TestSeed.MachineSecret);

        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.DoesNotContain(_commands.Texts, text => text.Contains("OpenIddictApplications", StringComparison.Ordinal));
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-01")]
    public async Task ClientCredentials_ForACachedAgency_RunsNoDatabaseCommandAtAll()
    {
        Assert.Equal(HttpStatusCode.OK, (await TestAgencies.ClientCredentialsAsync(_host, TestSeed.MachineClient, TestSeed.MachineSecret)).Status);
        _commands.Clear();

        var second = await TestAgencies.ClientCredentialsAsync(_host, TestSeed.MachineClient, TestSeed.MachineSecret);

        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.True(_commands.Texts.Count == 0, string.Join("\n---\n", _commands.Texts));
    }

    /// <summary>The text of every command run while a request to the token endpoint is being handled.</summary>
    private sealed class TokenEndpointCommands : DbCommandInterceptor
    {
        private readonly HttpContextAccessor _http = new();
        private readonly ConcurrentQueue<string> _texts = new();

        public IReadOnlyCollection<string> Texts => [.. _texts];

        public void Clear() => _texts.Clear();

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Record(command);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
        {
            Record(command);
            return result;
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            Record(command);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return ValueTask.FromResult(result);
        }

        // Background jobs of the host (pruning, logout delivery) use the database too: only the token endpoint's count.
        private void Record(DbCommand command)
        {
            if (_http.HttpContext?.Request.Path == "/connect/token")
            {
                _texts.Enqueue(command.CommandText);
            }
        }
    }
}

/// <summary>
/// <see cref="AgencyCache"/> on its own, as on a single node without Redis: what it keeps, drops and refuses to keep.
/// </summary>
public sealed class AgencyCacheUnitTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
    private readonly AgencyCache _cache;

    public AgencyCacheUnitTests()
    {
        _cache = new AgencyCache(_clock, NullLogger<AgencyCache>.Instance, Options.Create(new OnePassOptions()), new ServiceCollection().BuildServiceProvider());
    }

    [Fact]
    public void Find_AfterKeep_ReturnsTheSnapshotByClientIdAndById()
    {
        var snapshot = Snapshot("kept");

        _cache.Keep(snapshot, _cache.Generation);

        Assert.Same(snapshot, _cache.Find("kept"));
        Assert.Same(snapshot, _cache.Find(snapshot.Id));
    }

    [Fact]
    public void Find_AfterInvalidateOfThatClient_ReturnsNullAndKeepsTheOthers()
    {
        var dropped = Snapshot("dropped");
        var other = Snapshot("other");
        _cache.Keep(dropped, _cache.Generation);
        _cache.Keep(other, _cache.Generation);

        _cache.Invalidate("dropped");

        Assert.Null(_cache.Find("dropped"));
        Assert.Null(_cache.Find(dropped.Id));
        Assert.Same(other, _cache.Find("other"));
    }

    [Fact]
    public void Find_AfterInvalidateOfAll_ReturnsNull()
    {
        _cache.Keep(Snapshot("first"), _cache.Generation);
        _cache.Keep(Snapshot("second"), _cache.Generation);

        _cache.Invalidate(null);

        Assert.Null(_cache.Find("first"));
        Assert.Null(_cache.Find("second"));
    }

    [Fact]
    public async Task Find_AfterInvalidateEverywhereWithoutRedis_ReturnsNull()
    {
        _cache.Keep(Snapshot("local"), _cache.Generation);

        await _cache.InvalidateEverywhereAsync("local", CancellationToken.None);

        Assert.Null(_cache.Find("local"));
    }

    [Fact]
    public void Keep_WithGenerationReadBeforeAnInvalidation_KeepsNothing()
    {
        var generationBeforeRead = _cache.Generation;
        _cache.Invalidate("raced"); // the row changed while the request was reading it

        _cache.Keep(Snapshot("raced"), generationBeforeRead);

        Assert.Null(_cache.Find("raced"));
    }

    [Fact]
    public void Keep_WithGenerationReadBeforeAnInvalidationOfAnotherAgency_KeepsNothing()
    {
        var generationBeforeRead = _cache.Generation;
        _cache.Invalidate("someone-else");

        _cache.Keep(Snapshot("cautious"), generationBeforeRead);

        Assert.Null(_cache.Find("cautious"));
    }

    [Fact]
    public void Keep_WithoutClientId_KeepsNothing()
    {
        var snapshot = Snapshot(null);

        _cache.Keep(snapshot, _cache.Generation);

        Assert.Null(_cache.Find(snapshot.Id));
    }

    [Fact]
    public void Find_JustBeforeMaxAge_ReturnsTheSnapshot()
    {
        var snapshot = Snapshot("young");
        _cache.Keep(snapshot, _cache.Generation);

        _clock.Advance(AgencyCache.MaxAge - TimeSpan.FromMilliseconds(1));

        Assert.Same(snapshot, _cache.Find("young"));
    }

    [Fact]
    public void Find_AtMaxAge_ReturnsNull()
    {
        var snapshot = Snapshot("old");
        _cache.Keep(snapshot, _cache.Generation);

        _clock.Advance(AgencyCache.MaxAge);

        Assert.Null(_cache.Find("old"));
        Assert.Null(_cache.Find(snapshot.Id));
    }

    [Fact]
    public void Find_AfterExpiryAndKeepingAFreshRead_ReturnsTheFreshSnapshot()
    {
        _cache.Keep(Snapshot("renewed"), _cache.Generation);
        _clock.Advance(AgencyCache.MaxAge);
        Assert.Null(_cache.Find("renewed"));
        var fresh = Snapshot("renewed");

        _cache.Keep(fresh, _cache.Generation);

        Assert.Same(fresh, _cache.Find("renewed"));
    }

    private static OpenIddictEntityFrameworkCoreApplication<Guid> Snapshot(string? clientId) => new()
    {
        Id = Guid.NewGuid(),
        ClientId = clientId,
        ConcurrencyToken = Guid.NewGuid().ToString(),
    };
}

/// <summary>
/// Two nodes sharing one database and one Redis: a change made through one node's admin API reaches the cache of
/// the other through the Redis channel <c>{prefix}agencies:changed</c>, well before <see cref="AgencyCache.MaxAge"/>.
/// </summary>
public sealed class AgencyCacheTwoNodeTests : IDisposable
{
    private const string Secret = "two-node-secret-0123456789-0123456789-ab";

    private readonly string _prefix = $"test:agencycache-{Guid.NewGuid():N}:";
    private readonly OnePassHost _nodeA;
    private OnePassHost? _nodeB;

    public AgencyCacheTwoNodeTests()
    {
        _nodeA = new OnePassHost(Options(null));
    }

    public void Dispose()
    {
        _nodeB?.Dispose();
        _nodeA.Dispose();
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-01")]
    [Trait(Catalogue.Row, "IN-TK-02")]
    public async Task ClientCredentials_OnNodeA_AfterNodeBDisablesTheCachedAgency_IsRefusedWithinTwoSeconds()
    {
        _nodeA.EnsureStarted(); // applies the seed before node B starts on the same database
        _nodeB = new OnePassHost(Options(_nodeA.DatabaseConnectionString));
        var clientId = await TestAgencies.CreateMachineAsync(_nodeA, "cache-two-nodes", Secret);
        Assert.Equal(HttpStatusCode.OK, (await TestAgencies.ClientCredentialsAsync(_nodeA, clientId, Secret)).Status);
        var adminToken = (await AdminApiHost.Tool.TokensAsync(_nodeB, TestSeed.Admin))["access_token"];

        var disabled = await TestAgencies.SendAsync(_nodeB, HttpMethod.Post, $"{AgencyApi.Path}/{clientId}/disable", adminToken,
            new StringContent(new JsonObject { ["version"] = await TestAgencies.VersionAsync(_nodeB, clientId) }.ToJsonString(),
                System.Text.Encoding.UTF8, "application/json"));
        Assert.True(disabled.Status == HttpStatusCode.OK, disabled.Body);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        ProtocolResponse response;
        while ((response = await TestAgencies.ClientCredentialsAsync(_nodeA, clientId, Secret)).Status == HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal("invalid_client", response.Error);
    }

    // Both nodes use the test Redis under one key prefix (one deployment); node B also shares node A's database.
    private OnePassHostOptions Options(string? database)
    {
        var options = new OnePassHostOptions
        {
            ConfigureSeed = AdminApiHost.AddTool,
            RedisConnectionString = TestServices.RedisConnectionString,
            Settings = { ["OnePass:Sessions:RedisKeyPrefix"] = _prefix },
        };
        if (database is not null)
        {
            options.Settings["ConnectionStrings:Database"] = database;
        }

        return options;
    }
}
