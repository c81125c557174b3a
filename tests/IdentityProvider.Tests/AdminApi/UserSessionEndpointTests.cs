using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.IdentityProvider.Tests.Sessions;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi;

/// <summary>
/// A user's SSO sessions through the admin API (issue 3 item 1; issue 5 "end all sessions"), on both
/// session backings: list, end one, end all; single logout when an administrator ends a session (issue 3
/// item 3); and that only the named user's own sessions can ever be ended (foreign, unknown, malformed ids).
/// Each test signs in users of its own, so the tests of a class can share one host.
/// </summary>
public abstract class UserSessionEndpointTests(UserSessionEndpointHost fixture)
{
    public const string FirefoxOnWindows = AccountSessionsPageTests.FirefoxOnWindows;
    public const string SafariOnIPhone = AccountSessionsPageTests.SafariOnIPhone;

    /// <summary>The tax agency's back-channel logout URI: a closed port, so delivery fails and the outbox row stays to be read.</summary>
    public const string TaxBackChannel = "http://127.0.0.1:9/bcl";

    /// <summary>One user per test (seeded by the fixtures); the listing test uses citizen1.</summary>
    public static readonly string[] Users =
    [
        "adm-sessions-end-one", "adm-sessions-owner", "adm-sessions-foreign", "adm-sessions-end-all", "adm-sessions-bcl",
        "adm-sessions-bcl-all", "adm-sessions-malformed", "adm-sessions-forbidden", "adm-sessions-anonymous", "adm-sessions-logged",
    ];

    private OnePassHost Host => fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task List_WithoutToken_Returns401()
    {
        var userId = await UserIdAsync(TestSeed.Citizen);

        var response = await SendAsync(HttpMethod.Get, Path(userId), accessToken: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.DoesNotContain("<html", response.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task EndAll_WithoutToken_Returns401AndEndsNothing()
    {
        using var browser = await SignedInAsync("adm-sessions-anonymous", FirefoxOnWindows);
        var userId = await UserIdAsync("adm-sessions-anonymous");

        var response = await SendAsync(HttpMethod.Delete, Path(userId), accessToken: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.True(await HasSessionAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task EndAll_AsNonAdministratorWithAdminScope_Returns403AndEndsNothing()
    {
        using var browser = await SignedInAsync("adm-sessions-forbidden", FirefoxOnWindows);
        var userId = await UserIdAsync("adm-sessions-forbidden");
        var citizenToken = (await AdminApiHost.Tool.TokensAsync(Host, TestSeed.OtherCitizen))["access_token"]!;

        var response = await SendAsync(HttpMethod.Delete, Path(userId), citizenToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.DoesNotContain("<html", response.Body, StringComparison.OrdinalIgnoreCase);
        Assert.True(await HasSessionAsync(browser));
    }

    [Fact]
    public async Task List_WithTwoBrowsersSignedIn_ReturnsBothNewestFirstWithTheirAgencies()
    {
        using var laptop = await SignedInAsync(TestSeed.Citizen, FirefoxOnWindows);
        using var phone = await SignedInAsync(TestSeed.Citizen, SafariOnIPhone, Agency.Health);
        var userId = await UserIdAsync(TestSeed.Citizen);

        var response = await SendAsAdminAsync(HttpMethod.Get, Path(userId));

        Assert.True(response.Status == HttpStatusCode.OK, $"{response.Status}: {response.Body}");
        Assert.Equal("application/json", response.Response.Content.Headers.ContentType?.MediaType);
        var items = Items(response);
        Assert.Equal(2, items.Count);
        Assert.Equal([SafariOnIPhone, FirefoxOnWindows], items.Select(item => item.GetProperty("userAgent").GetString()));
        Assert.Equal([TestSeed.HealthClient, TestSeed.TaxClient], Agencies(items[0]));
        Assert.Equal([TestSeed.TaxClient], Agencies(items[1]));
        Assert.Equal((await SessionIdsAsync(userId)).Order(StringComparer.Ordinal),
            items.Select(item => item.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(items, item =>
        {
            var createdAt = item.GetProperty("createdAt").GetDateTimeOffset();
            Assert.InRange(item.GetProperty("lastSeenAt").GetDateTimeOffset(), createdAt, item.GetProperty("expiresAt").GetDateTimeOffset());
            Assert.True(item.TryGetProperty("ipAddress", out _));
        });
    }

    [Fact]
    public async Task List_UnknownUser_Returns404NotFound()
    {
        var response = await SendAsAdminAsync(HttpMethod.Get, Path(Guid.NewGuid()));

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("not_found", response.Error);
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("12345")]
    [InlineData("00000000-0000-0000-0000-00000000000g")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("x:agencies")]
    [InlineData("LONG")]
    public async Task List_MalformedUserId_Returns400InvalidRequest(string userId)
    {
        var value = userId == "LONG" ? new string('a', 2000) : userId;

        var response = await SendAsAdminAsync(HttpMethod.Get, $"/api/admin/users/{Uri.EscapeDataString(value)}/sessions");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
    }

    [Fact]
    public async Task List_WithQueryParameter_Returns400InvalidRequest()
    {
        var userId = await UserIdAsync(TestSeed.Citizen);

        var response = await SendAsAdminAsync(HttpMethod.Get, Path(userId) + "?limit=5");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
    }

    [Fact]
    public async Task EndOne_OwnSession_Returns204AndOnlyThatBrowserLosesItsSession()
    {
        using var laptop = await SignedInAsync("adm-sessions-end-one", FirefoxOnWindows);
        using var phone = await SignedInAsync("adm-sessions-end-one", SafariOnIPhone);
        var userId = await UserIdAsync("adm-sessions-end-one");
        var phoneSession = Items(await SendAsAdminAsync(HttpMethod.Get, Path(userId)))
            .Single(item => item.GetProperty("userAgent").GetString() == SafariOnIPhone).GetProperty("id").GetString()!;

        var response = await SendAsAdminAsync(HttpMethod.Delete, Path(userId, phoneSession));

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        Assert.False(await HasSessionAsync(phone));
        Assert.True(await HasSessionAsync(laptop));
        Assert.DoesNotContain(phoneSession, await SessionIdsAsync(userId));
    }

    [Fact]
    public async Task EndOne_SessionOfAnotherUserUnderThisUsersPath_Returns404AndEndsNothing()
    {
        using var owner = await SignedInAsync("adm-sessions-owner", FirefoxOnWindows);
        using var foreign = await SignedInAsync("adm-sessions-foreign", SafariOnIPhone);
        var ownerId = await UserIdAsync("adm-sessions-owner");
        var foreignId = await UserIdAsync("adm-sessions-foreign");
        var foreignSession = Assert.Single(await SessionIdsAsync(foreignId));
        var rows = await Host.CountRowsAsync();

        var response = await SendAsAdminAsync(HttpMethod.Delete, Path(ownerId, foreignSession));

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("not_found", response.Error);
        Assert.Equal(rows, await Host.CountRowsAsync()); // before the checks below, which issue codes
        Assert.Equal([foreignSession], await SessionIdsAsync(foreignId));
        Assert.Single(await SessionIdsAsync(ownerId));
        Assert.True(await HasSessionAsync(foreign));
        Assert.True(await HasSessionAsync(owner));
    }

    [Theory]
    [InlineData("{own}:agencies")]
    [InlineData("x:agencies")]
    [InlineData("{own}*")]
    [InlineData("*")]
    [InlineData("a.b")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("LONG")]
    [InlineData("<script>alert(1)</script>")]
    public async Task EndOne_MalformedOrUnknownSessionId_Returns404AndEndsNothing(string sessionId)
    {
        using var browser = await SignedInAsync("adm-sessions-malformed", FirefoxOnWindows);
        var userId = await UserIdAsync("adm-sessions-malformed");
        var before = await SessionIdsAsync(userId);
        var value = sessionId == "LONG" ? new string('A', 2000) : sessionId.Replace("{own}", before[0], StringComparison.Ordinal);
        var rows = await Host.CountRowsAsync();

        var response = await SendAsAdminAsync(HttpMethod.Delete, $"{Path(userId)}/{Uri.EscapeDataString(value)}");

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("not_found", response.Error);
        Assert.Equal(rows, await Host.CountRowsAsync()); // before the check below, which issues a code
        Assert.Equal(before.Order(StringComparer.Ordinal), (await SessionIdsAsync(userId)).Order(StringComparer.Ordinal));
        Assert.True(await HasSessionAsync(browser));
    }

    [Fact]
    public async Task EndOne_MalformedUserId_Returns400InvalidRequest()
    {
        var response = await SendAsAdminAsync(HttpMethod.Delete, "/api/admin/users/not-a-guid/sessions/AAAAAAAAAAAAAAAA");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
    }

    [Fact]
    public async Task EndOne_UnknownUser_Returns404NotFound()
    {
        var response = await SendAsAdminAsync(HttpMethod.Delete, Path(Guid.NewGuid(), "AAAAAAAAAAAAAAAA"));

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("not_found", response.Error);
    }

    [Fact]
    public async Task EndAll_TwoSessions_Returns200WithCountAndEndsBoth()
    {
        using var laptop = await SignedInAsync("adm-sessions-end-all", FirefoxOnWindows);
        using var phone = await SignedInAsync("adm-sessions-end-all", SafariOnIPhone);
        var userId = await UserIdAsync("adm-sessions-end-all");

        var response = await SendAsAdminAsync(HttpMethod.Delete, Path(userId));

        Assert.True(response.Status == HttpStatusCode.OK, $"{response.Status}: {response.Body}");
        Assert.Equal(2, response.Json.GetProperty("ended").GetInt32());
        Assert.Empty(await SessionIdsAsync(userId));
        Assert.False(await HasSessionAsync(laptop));
        Assert.False(await HasSessionAsync(phone));
    }

    [Fact]
    public async Task EndAll_UnknownUser_Returns404NotFound()
    {
        var response = await SendAsAdminAsync(HttpMethod.Delete, Path(Guid.NewGuid()));

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("not_found", response.Error);
    }

    [Fact]
    public async Task EndAll_MalformedUserId_Returns400InvalidRequest()
    {
        var rows = await Host.CountRowsAsync();

        var response = await SendAsAdminAsync(HttpMethod.Delete, "/api/admin/users/not-a-guid/sessions");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
        Assert.Equal(rows, await Host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task EndOne_SessionSignedIntoAgencyWithBackChannelUri_QueuesLogoutForThatAgencyEndedByAdministrator()
    {
        var (browser, idToken) = await SignedInWithIdTokenAsync("adm-sessions-bcl");
        using var _ = browser;
        var userId = await UserIdAsync("adm-sessions-bcl");
        var session = Assert.Single(await SessionIdsAsync(userId));
        var token = Tokens.Read(idToken);

        var response = await SendAsAdminAsync(HttpMethod.Delete, Path(userId, session));

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        var sid = token.GetClaim("sid").Value;
        var row = Assert.Single(await NotificationsAsync(sid));
        Assert.Equal(TestSeed.TaxClient, row.ClientId);
        Assert.Equal("EndedByAdministrator", row.Reason);
        Assert.Equal(token.Subject, row.Subject); // the pairwise sub the agency knows
        Assert.Equal(TaxBackChannel, row.Uri);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task EndAll_SessionsSignedIntoAgencyWithBackChannelUri_QueuesLogoutForEachEndedByAdministrator()
    {
        var (laptop, laptopToken) = await SignedInWithIdTokenAsync("adm-sessions-bcl-all");
        var (phone, phoneToken) = await SignedInWithIdTokenAsync("adm-sessions-bcl-all");
        using var a = laptop;
        using var b = phone;
        var userId = await UserIdAsync("adm-sessions-bcl-all");

        var response = await SendAsAdminAsync(HttpMethod.Delete, Path(userId));

        Assert.Equal(2, response.Json.GetProperty("ended").GetInt32());
        foreach (var idToken in new[] { laptopToken, phoneToken })
        {
            var row = Assert.Single(await NotificationsAsync(Tokens.Read(idToken).GetClaim("sid").Value));
            Assert.Equal(TestSeed.TaxClient, row.ClientId);
            Assert.Equal("EndedByAdministrator", row.Reason);
        }
    }

    [Fact]
    public async Task EndOne_ByAdministrator_LogsTheAdministratorsIdAndNoPersonalData()
    {
        using var browser = await SignedInAsync("adm-sessions-logged", SafariOnIPhone);
        var userId = await UserIdAsync("adm-sessions-logged");
        var adminId = await UserIdAsync(TestSeed.Admin);
        var session = Assert.Single(await SessionIdsAsync(userId));

        var response = await SendAsAdminAsync(HttpMethod.Delete, Path(userId, session));

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        var line = Assert.Single(fixture.AdminApiLog, line => line.Contains(session, StringComparison.Ordinal));
        Assert.Contains(adminId.ToString(), line, StringComparison.Ordinal);
        Assert.Contains(userId.ToString(), line, StringComparison.Ordinal);
        Assert.DoesNotContain("adm-sessions-logged", line, StringComparison.Ordinal);
        Assert.DoesNotContain("iPhone", line, StringComparison.Ordinal);
    }

    private static string Path(Guid userId, string? sessionId = null) =>
        sessionId is null ? $"/api/admin/users/{userId}/sessions" : $"/api/admin/users/{userId}/sessions/{Uri.EscapeDataString(sessionId)}";

    private static List<JsonElement> Items(ProtocolResponse response)
    {
        Assert.True(response.Status == HttpStatusCode.OK, $"{response.Status}: {response.Body}");
        return [.. response.Json.GetProperty("items").EnumerateArray()];
    }

    private static List<string> Agencies(JsonElement item) =>
        [.. item.GetProperty("agencies").EnumerateArray().Select(agency => agency.GetString()!)];

    private Task<ProtocolResponse> SendAsAdminAsync(HttpMethod method, string path) => SendAsync(method, path, fixture.AdminToken);

    private async Task<ProtocolResponse> SendAsync(HttpMethod method, string path, string? accessToken)
    {
        using var client = Host.CreateProtocolClient();
        using var request = new HttpRequestMessage(method, path);
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        return await ProtocolResponse.ReadAsync(await client.SendAsync(request));
    }

    /// <summary>A browser with its own user agent, signed in through the tax agency (password), then through the others (SSO).</summary>
    private async Task<BrowserClient> SignedInAsync(string username, string userAgent, params Agency[] thenThrough)
    {
        var browser = Host.CreateBrowser();
        browser.Http.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", userAgent);
        foreach (var agency in (Agency[])[Agency.Tax, .. thenThrough])
        {
            var request = new AuthorizationRequest(agency.ClientId, agency.RedirectUri) { Scope = "openid" };
            var response = await browser.AuthorizeAsync(request, (username, TestSeed.Password));
            Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status}");
        }

        return browser;
    }

    /// <summary>A browser signed in through the tax agency, and the ID token the agency got (its <c>sid</c> and <c>sub</c>).</summary>
    private async Task<(BrowserClient Browser, string IdToken)> SignedInWithIdTokenAsync(string username)
    {
        var browser = Host.CreateBrowser();
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Scope = "openid" };
        var response = await browser.AuthorizeAsync(request, (username, TestSeed.Password));
        Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status}");
        var tokens = await new TokenClient(Host.CreateProtocolClient())
            .RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, response.Code!, request.CodeVerifier, TestSeed.TaxRedirect);
        Assert.True(tokens.Status == HttpStatusCode.OK, tokens.Body);
        return (browser, tokens["id_token"]!);
    }

    /// <summary>True when a prompt=none request through the health agency yields a code (a live SSO session).</summary>
    private static async Task<bool> HasSessionAsync(BrowserClient browser)
    {
        var request = new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect) { Extra = new() { ["prompt"] = "none" } };
        return (await browser.AuthorizeAsync(request)).Code is not null;
    }

    private async Task<Guid> UserIdAsync(string username)
    {
        var id = Guid.Empty;
        await Host.WithServicesAsync(async services =>
        {
            var user = await services.GetRequiredService<UserManager<OnePassUser>>().FindByNameAsync(username);
            id = user!.Id;
        });
        return id;
    }

    /// <summary>The user's live session ids, straight from the store (not through the endpoint under test).</summary>
    private async Task<List<string>> SessionIdsAsync(Guid userId)
    {
        List<string> ids = [];
        await Host.WithServicesAsync(async services =>
            ids = [.. (await services.GetRequiredService<SsoSessionStore>().ListForUserAsync(userId)).Select(session => session.Id)]);
        return ids;
    }

    /// <summary>The outbox rows for one per-agency <c>sid</c>.</summary>
    private Task<List<LogoutNotification>> NotificationsAsync(string sid) =>
        Host.WithDatabaseAsync(db => db.LogoutNotifications.AsNoTracking().Where(row => row.SessionId == sid).ToListAsync());
}

public sealed class InProcessUserSessionEndpointTests(InProcessUserSessionEndpointHost fixture)
    : UserSessionEndpointTests(fixture), IClassFixture<InProcessUserSessionEndpointHost>;

public sealed class RedisUserSessionEndpointTests(RedisUserSessionEndpointHost fixture)
    : UserSessionEndpointTests(fixture), IClassFixture<RedisUserSessionEndpointHost>;

/// <summary>
/// A OnePass with the admin tool (see <see cref="AdminApiHost"/>), this class's users, and a back-channel
/// logout URI for the tax agency; an administrator's access token fetched once.
/// </summary>
public abstract class UserSessionEndpointHost : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _log = new();
    private string? _adminToken;

    protected UserSessionEndpointHost(string? redis) => Host = new(new OnePassHostOptions
    {
        RedisConnectionString = redis,
        ConfigureServices = services => services.AddSingleton<ILoggerProvider>(new CapturingLoggerProvider(_log)),
        ConfigureSeed = seed =>
        {
            AdminApiHost.AddTool(seed);
            SingleLogoutHost.SetClient(seed, TestSeed.TaxClient, "backchannelLogoutUri", UserSessionEndpointTests.TaxBackChannel);
            foreach (var user in UserSessionEndpointTests.Users)
            {
                seed["users"]!.AsArray().Add(TestSeed.User(user, $"{user}@example.test", "Session Tester"));
            }
        },
    });

    public OnePassHost Host { get; }

    /// <summary>What the admin API's own loggers wrote.</summary>
    public IReadOnlyCollection<string> AdminApiLog => _log;

    public async Task InitializeAsync()
    {
        Host.EnsureStarted();
        // Fetched now, so no test's first admin call writes token rows (tests compare row counts).
        _adminToken = (await AdminApiHost.Tool.TokensAsync(Host, TestSeed.Admin))["access_token"]!;
    }

    public string AdminToken => _adminToken ?? throw new InvalidOperationException("The host has not been initialized.");

    public Task DisposeAsync()
    {
        Host.Dispose();
        return Task.CompletedTask;
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => category.StartsWith("OnePass.IdentityProvider.Features.AdminApi", StringComparison.Ordinal);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lines.Enqueue(formatter(state, exception));
            }
        }
    }
}

public sealed class InProcessUserSessionEndpointHost() : UserSessionEndpointHost(redis: null);

public sealed class RedisUserSessionEndpointHost() : UserSessionEndpointHost(TestServices.RedisConnectionString);
