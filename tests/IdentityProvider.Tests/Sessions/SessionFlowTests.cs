using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.TestKit;
using OpenIddict.Abstractions;
using StackExchange.Redis;

namespace OnePass.IdentityProvider.Tests.Sessions;

/// <summary>
/// SSO sessions held server-side (issue 3), through the real endpoints, on both backings (in process
/// and Redis): fixation (AT-16), sign-out reaching cookies copied elsewhere, the per-user session list,
/// and refresh tokens tied to sessions (AT-07).
/// </summary>
public abstract class SessionFlowTests(OnePassHost host)
{
    protected const string SessionCookie = "onepass";

    protected OnePassHost Host { get; } = host;

    /// <summary>The browser's session cookie, copied: what an attacker who stole or planted it would hold.</summary>
    protected static string? CookieOf(BrowserClient browser) => browser.Cookies.GetAllCookies()
        .SingleOrDefault(cookie => cookie.Name == SessionCookie && !cookie.Expired)?.Value;

    /// <summary>A new browser holding only the given session cookie.</summary>
    protected BrowserClient BrowserWith(string cookie)
    {
        var browser = Host.CreateBrowser();
        browser.Cookies.Add(Host.Issuer, new Cookie(SessionCookie, cookie));
        return browser;
    }

    /// <summary>True when a prompt=none request through the health agency yields a code (a live SSO session).</summary>
    protected static async Task<bool> HasSessionAsync(BrowserClient browser)
    {
        var request = new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect) { Extra = new() { ["prompt"] = "none" } };
        return (await browser.AuthorizeAsync(request)).Code is not null;
    }

    private async Task<(BrowserClient Browser, ProtocolResponse Tokens)> SignedInAsync(string? scope = null, string username = TestSeed.Citizen)
    {
        var browser = Host.CreateBrowser();
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Scope = scope ?? "openid profile" };
        var response = await browser.AuthorizeAsync(request, (username, TestSeed.Password));
        Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status}");
        var tokens = await new TokenClient(Host.CreateProtocolClient())
            .RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, response.Code!, request.CodeVerifier, TestSeed.TaxRedirect);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        return (browser, tokens);
    }

    private static async Task SignOutAsync(BrowserClient browser, string idToken) =>
        await SingleLogoutHost.EndSessionAsync(browser, idToken, TestSeed.TaxPostLogout);

    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task Login_OverAnotherUsersPlantedCookie_GivesANewSessionAndKillsThePlantedOne()
    {
        var (attacker, _) = await SignedInAsync(username: TestSeed.OtherCitizen);
        using var _ = attacker;
        var planted = CookieOf(attacker)!;
        using var victim = BrowserWith(planted);

        await victim.SignInAsync(TestSeed.Citizen);
        using var replay = BrowserWith(planted);

        Assert.NotEqual(planted, CookieOf(victim));
        Assert.True(await HasSessionAsync(victim));
        Assert.False(await HasSessionAsync(replay));
        Assert.False(await HasSessionAsync(attacker)); // the planted session was ended, not handed over
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task Reauthentication_OfSameUser_KillsOldCookieAndOldKeyButKeepsTheSessionAndItsSid()
    {
        var (browser, first) = await SignedInAsync();
        using var _ = browser;
        var oldCookie = CookieOf(browser)!;
        var before = await SessionOfAsync(Host, TestSeed.Citizen, TestSeed.TaxClient, first["id_token"]!);

        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Extra = new() { ["prompt"] = "login" } };
        var again = await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password));
        var second = await new TokenClient(Host.CreateProtocolClient())
            .RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, again.Code!, request.CodeVerifier, TestSeed.TaxRedirect);
        using var replay = BrowserWith(oldCookie);
        var after = await SessionOfAsync(Host, TestSeed.Citizen, TestSeed.TaxClient, second["id_token"]!);

        Assert.NotEqual(oldCookie, CookieOf(browser));
        Assert.False(await HasSessionAsync(replay));
        Assert.True(await HasSessionAsync(browser));
        Assert.Equal(Tokens.Read(first["id_token"]!).GetClaim("sid").Value, Tokens.Read(second["id_token"]!).GetClaim("sid").Value);
        Assert.True(Tokens.Read(second["id_token"]!).GetPayloadValue<long>("auth_time") >= Tokens.Read(first["id_token"]!).GetPayloadValue<long>("auth_time"));
        Assert.NotEqual(before.Id, after.Id); // a new server-side key…
        Assert.Equal(before.Sid, after.Sid); // …for the same session
        Assert.Equal(before.CreatedAt, after.CreatedAt);
        Assert.Null(await StoredAsync(Host, before.Id));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-07")]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task Refresh_WithoutOfflineAccess_SurvivesAReauthenticationOfItsSession()
    {
        var (browser, tokens) = await SignedInAsync("openid profile");
        using var _ = browser;

        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Extra = new() { ["prompt"] = "login" } };
        Assert.NotNull((await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password))).Code);
        var after = await Agency.Tax.RefreshAsync(Host, tokens["refresh_token"]!);

        Assert.Equal(HttpStatusCode.OK, after.Status);
    }

    /// <summary>The stored session an ID token's <c>sid</c> stands for (agencies see only HMAC(sid, client id)).</summary>
    public static async Task<SessionRecord> SessionOfAsync(OnePassHost host, string username, string clientId, string idToken)
    {
        var sid = Tokens.Read(idToken).GetClaim("sid").Value;
        SessionRecord? found = null;
        await host.WithServicesAsync(async services =>
        {
            var user = await services.GetRequiredService<UserManager<OnePassUser>>().FindByNameAsync(username);
            var subjects = services.GetRequiredService<OnePass.IdentityProvider.Features.Authorization.SubjectIdentifiers>();
            found = (await services.GetRequiredService<SsoSessionStore>().ListForUserAsync(user!.Id))
                .SingleOrDefault(session => subjects.SessionIdFor(session.Sid, clientId) == sid);
        });
        Assert.True(found is not null, "No live session has the ID token's sid.");
        return found;
    }

    /// <summary>The record stored under this key, live or not (null: no such key).</summary>
    public static async Task<SessionRecord?> StoredAsync(OnePassHost host, string id)
    {
        SessionRecord? found = null;
        await host.WithServicesAsync(async services => found = await services.GetRequiredService<ISessionStorage>().FindAsync(id, CancellationToken.None));
        return found;
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-ES-01")]
    public async Task SignOut_KillsTheSessionForACopiedCookieToo()
    {
        var (browser, tokens) = await SignedInAsync();
        using var _ = browser;
        var copied = CookieOf(browser)!;

        await SignOutAsync(browser, tokens["id_token"]!);
        using var replay = BrowserWith(copied);

        Assert.False(await HasSessionAsync(replay));
    }

    [Fact]
    public async Task SessionCookie_CarriesOnlyASessionKey()
    {
        var (browser, _) = await SignedInAsync();
        using var __ = browser;

        // A ticket with claims would be well over 1 KB once protected; the key alone is a few hundred bytes.
        Assert.InRange(CookieOf(browser)!.Length, 50, 600);
    }

    [Fact]
    public async Task SessionList_ShowsEachBrowserAndEndingOneLeavesTheOther()
    {
        var (phone, _) = await SignedInAsync(username: TestSeed.Admin);
        var (laptop, _) = await SignedInAsync(username: TestSeed.Admin);
        using var a = phone;
        using var b = laptop;
        IReadOnlyList<SessionRecord> before = [];
        IReadOnlyList<SessionRecord> after = [];

        await Host.WithServicesAsync(async services =>
        {
            var store = services.GetRequiredService<SsoSessionStore>();
            var user = await services.GetRequiredService<UserManager<OnePassUser>>().FindByNameAsync(TestSeed.Admin);
            before = await store.ListForUserAsync(user!.Id);
            await store.EndAsync(before[^1].Id, SessionEndReason.EndedByUser);
            after = await store.ListForUserAsync(user.Id);
        });

        Assert.Equal(2, before.Count);
        Assert.All(before, session => Assert.Contains(TestSeed.TaxClient, session.Agencies));
        Assert.Single(after);
        Assert.Equal(before[0].Id, after[0].Id);
        Assert.Equal(1, (await HasSessionAsync(phone) ? 1 : 0) + (await HasSessionAsync(laptop) ? 1 : 0));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-07")]
    public async Task Refresh_WithoutOfflineAccess_IsRefusedOnceTheSessionEnds()
    {
        var (browser, tokens) = await SignedInAsync("openid profile");
        using var _ = browser;
        var agency = Agency.Tax;
        var before = await agency.RefreshAsync(Host, tokens["refresh_token"]!);

        await SignOutAsync(browser, tokens["id_token"]!);
        var after = await agency.RefreshAsync(Host, before["refresh_token"]!);

        Assert.Equal(HttpStatusCode.OK, before.Status);
        Assert.Equal(HttpStatusCode.BadRequest, after.Status);
        Assert.Equal("invalid_grant", after.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-07")]
    public async Task Refresh_WithOfflineAccess_SurvivesSignOut()
    {
        var (browser, tokens) = await SignedInAsync("openid profile offline_access");
        using var _ = browser;

        await SignOutAsync(browser, tokens["id_token"]!);
        var after = await Agency.Tax.RefreshAsync(Host, tokens["refresh_token"]!);

        Assert.Equal(HttpStatusCode.OK, after.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-07")]
    public async Task Refresh_WithOfflineAccess_IsRefusedAfterAPasswordChange()
    {
        var (browser, tokens) = await SignedInAsync("openid profile offline_access", TestSeed.OtherCitizen);
        using var _ = browser;

        await Host.WithServicesAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<OnePassUser>>();
            var user = await users.FindByNameAsync(TestSeed.OtherCitizen);
            Assert.True((await users.ChangePasswordAsync(user!, TestSeed.Password, TestSeed.Password + " again")).Succeeded);
            Assert.True((await users.ChangePasswordAsync(user!, TestSeed.Password + " again", TestSeed.Password)).Succeeded);
        });
        var after = await Agency.Tax.RefreshAsync(Host, tokens["refresh_token"]!);

        Assert.Equal("invalid_grant", after.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-07")]
    public async Task Refresh_WithOfflineAccess_IsRefusedAfterConsentRevocation()
    {
        var (browser, tokens) = await SignedInAsync("openid profile offline_access");
        using var _ = browser;

        await Host.WithServicesAsync(async services =>
        {
            var authorizations = services.GetRequiredService<IOpenIddictAuthorizationManager>();
            var user = await services.GetRequiredService<UserManager<OnePassUser>>().FindByNameAsync(TestSeed.Citizen);
            await foreach (var authorization in authorizations.FindBySubjectAsync(user!.Id.ToString()))
            {
                await authorizations.TryRevokeAsync(authorization);
            }
        });
        var after = await Agency.Tax.RefreshAsync(Host, tokens["refresh_token"]!);

        Assert.Equal("invalid_grant", after.Error);
    }
}

public sealed class InProcessSessionFlowTests(OnePassHostFixture fixture) : SessionFlowTests(fixture.Host), IClassFixture<OnePassHostFixture>;

public sealed class RedisSessionFlowTests(RedisSessionHostFixture fixture) : SessionFlowTests(fixture.Host), IClassFixture<RedisSessionHostFixture>
{
    [Fact]
    public async Task Session_LivesInRedisUnderThePrefix_AndSignOutRemovesIt()
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.RedisConnectionString);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        int SessionKeys() => server.Keys(pattern: fixture.Prefix + "session:*").Count();
        var before = SessionKeys(); // other tests of this class may have left sessions
        using var browser = Host.CreateBrowser();
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Scope = "openid" };
        var response = await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password));
        var tokens = await new TokenClient(Host.CreateProtocolClient())
            .RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, response.Code!, request.CodeVerifier, TestSeed.TaxRedirect);
        var during = SessionKeys();

        await SingleLogoutHost.EndSessionAsync(browser, tokens["id_token"]!, TestSeed.TaxPostLogout);

        Assert.Equal(before + 1, during); // one key per session (its agencies are inside)
        Assert.Equal(before, SessionKeys());
        await redis.DisposeAsync();
    }
}

/// <summary>A OnePass whose sessions live in the test Redis, under a prefix of its own.</summary>
public sealed class RedisSessionHostFixture : IDisposable
{
    public RedisSessionHostFixture()
    {
        Host = new OnePassHost(new OnePassHostOptions
        {
            RedisConnectionString = TestServices.RedisConnectionString,
            Settings = { ["OnePass:Sessions:RedisKeyPrefix"] = Prefix },
        });
    }

    public string Prefix { get; } = $"test:{Guid.NewGuid():N}:";

    public OnePassHost Host { get; }

    public void Dispose() => Host.Dispose();
}
