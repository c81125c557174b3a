using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.TestKit;
using OtpNet;
using StackExchange.Redis;

namespace OnePass.IdentityProvider.Tests.Sessions;

/// <summary>
/// Session fixation (CATALOGUE AT-16) across an MFA step-up and against a session key planted in Redis,
/// on both backings: at every authentication the cookie value and the server-side key change, the old
/// ones are dead, and the agencies' <c>sid</c> stays the same within the SSO session.
/// </summary>
public abstract class SessionFixationTests(OnePassHost host)
{
    public const string StepUpUser = "fixation-stepup";
    public const string PlantedUser = "fixation-planted";

    private const string SessionCookie = "onepass";

    protected OnePassHost Host { get; } = host;

    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task TotpStepUp_KillsTheOldCookieAndKey_AndKeepsTheSid()
    {
        using var browser = Host.CreateBrowser();
        await browser.SignInAsync(StepUpUser);
        var setup = await browser.NavigateAsync("/account/security/totp");
        var secret = setup.Document.QuerySelector("#totp-secret")!.TextContent;
        await browser.SubmitAsync(setup, new Dictionary<string, string> { ["code"] = CodeAt(secret) });
        var first = await IdTokenAsync(browser, Request());
        var oldCookie = CookieOf(browser);
        var before = await SessionFlowTests.SessionOfAsync(Host, StepUpUser, TestSeed.TaxClient, first);

        var stepUp = Request("urn:onepass:loa:2");
        var codePage = await browser.NavigateAsync(stepUp.ToUrl(), AtAgency(stepUp));
        var callback = await browser.SubmitAsync(codePage, new Dictionary<string, string> { ["code"] = CodeAt(secret, 1) }, stopAt: AtAgency(stepUp));
        var second = await RedeemAsync(callback.RedirectParameters()["code"], stepUp);
        var after = await SessionFlowTests.SessionOfAsync(Host, StepUpUser, TestSeed.TaxClient, second);
        using var replay = BrowserWith(oldCookie);

        Assert.Equal("urn:onepass:loa:2", Tokens.Read(second).GetClaim("acr").Value);
        Assert.Equal(Tokens.Read(first).GetClaim("sid").Value, Tokens.Read(second).GetClaim("sid").Value);
        Assert.NotEqual(oldCookie, CookieOf(browser));
        Assert.False(await HasSessionAsync(replay));
        Assert.True(await HasSessionAsync(browser));
        Assert.NotEqual(before.Id, after.Id);
        Assert.Equal(before.Sid, after.Sid);
        Assert.Contains(TestSeed.TaxClient, after.Agencies);
        Assert.Null(await SessionFlowTests.StoredAsync(Host, before.Id));
    }

    // --- helpers ---------------------------------------------------------------------------------

    protected static string CodeAt(string base32, int steps = 0) =>
        new Totp(Base32Encoding.ToBytes(base32)).ComputeTotp(DateTime.UtcNow.AddSeconds(30 * steps));

    protected static AuthorizationRequest Request(string? acr = null) => new(TestSeed.TaxClient, TestSeed.TaxRedirect)
    {
        Scope = "openid",
        Extra = acr is null ? [] : new() { ["acr_values"] = acr },
    };

    private static Func<Uri, bool> AtAgency(AuthorizationRequest request) =>
        uri => uri.ToString().StartsWith(request.RedirectUri!, StringComparison.Ordinal);

    protected async Task<string> IdTokenAsync(BrowserClient browser, AuthorizationRequest request)
    {
        var response = await browser.AuthorizeAsync(request);
        Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status}");
        return await RedeemAsync(response.Code!, request);
    }

    private async Task<string> RedeemAsync(string code, AuthorizationRequest request)
    {
        var tokens = await new TokenClient(Host.CreateProtocolClient())
            .RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, request.CodeVerifier, TestSeed.TaxRedirect);
        Assert.True(tokens.Status == HttpStatusCode.OK, tokens.Body);
        return tokens["id_token"]!;
    }

    protected static string? CookieOf(BrowserClient browser) => browser.Cookies.GetAllCookies()
        .SingleOrDefault(cookie => cookie.Name == SessionCookie && !cookie.Expired)?.Value;

    protected BrowserClient BrowserWith(string? cookie)
    {
        var browser = Host.CreateBrowser();
        browser.Cookies.Add(Host.Issuer, new Cookie(SessionCookie, cookie));
        return browser;
    }

    private static async Task<bool> HasSessionAsync(BrowserClient browser)
    {
        var request = new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect) { Extra = new() { ["prompt"] = "none" } };
        return (await browser.AuthorizeAsync(request)).Code is not null;
    }

    public static OnePassHostOptions HostOptions(string? redis = null, string? prefix = null)
    {
        var options = new OnePassHostOptions
        {
            RedisConnectionString = redis,
            ConfigureSeed = seed =>
            {
                seed["users"]!.AsArray().Add(TestSeed.User(StepUpUser, $"{StepUpUser}@example.test", "Step Up"));
                seed["users"]!.AsArray().Add(TestSeed.User(PlantedUser, $"{PlantedUser}@example.test", "Planted"));
            },
        };
        if (prefix is not null)
        {
            options.Settings["OnePass:Sessions:RedisKeyPrefix"] = prefix;
        }

        return options;
    }
}

public sealed class InProcessSessionFixationTests(InProcessSessionFixationHostFixture fixture)
    : SessionFixationTests(fixture.Host), IClassFixture<InProcessSessionFixationHostFixture>;

public sealed class RedisSessionFixationTests(RedisSessionFixationHostFixture fixture)
    : SessionFixationTests(fixture.Host), IClassFixture<RedisSessionFixationHostFixture>
{
    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task Login_WithASessionKeyPlantedInRedis_NeverUsesOrAdoptsIt()
    {
        // An attacker who could write one Redis key plants a session of the victim under a key of their
        // choosing and sets the browser's cookie to name it (unprotected: they do not hold the key ring).
        var planted = SessionSignIn.NewSessionId();
        var secret = RandomNumberGenerator.GetBytes(24);
        Guid userId = default;
        await Host.WithServicesAsync(async services =>
            userId = (await services.GetRequiredService<UserManager<OnePassUser>>().FindByNameAsync(PlantedUser))!.Id);
        var now = DateTimeOffset.UtcNow;
        var record = RedisSessionStorage.Encode(new SessionRecord
        {
            Id = planted,
            UserId = userId,
            SecretHash = SHA256.HashData(secret),
            Ticket = [1, 2, 3],
            CreatedAt = now,
            LastSeenAt = now,
            ExpiresAt = now.AddHours(1),
        });
        await using var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.RedisConnectionString);
        var database = redis.GetDatabase();
        RedisKey plantedKey = $"{fixture.Prefix}session:{planted}";
        await database.StringSetAsync(plantedKey, record, TimeSpan.FromHours(1));
        var plantedCookie = $"{planted}.{Base64Url.EncodeToString(secret)}";
        using var browser = BrowserWith(plantedCookie);

        await browser.SignInAsync(PlantedUser);
        var idToken = await IdTokenAsync(browser, Request());

        var session = await SessionFlowTests.SessionOfAsync(Host, PlantedUser, TestSeed.TaxClient, idToken);
        Assert.NotEqual(planted, session.Id);
        Assert.NotEqual(planted, session.Sid);
        Assert.NotEqual(plantedCookie, CookieOf(browser));
        Assert.Equal(record, (byte[])(await database.StringGetAsync(plantedKey))!); // never written to
        Assert.False(await database.KeyExistsAsync($"{fixture.Prefix}sid:{planted}"));
        Assert.DoesNotContain(planted, (await database.SetMembersAsync($"{fixture.Prefix}user:{userId:N}:sessions")).Select(id => id.ToString()));
    }
}

public sealed class InProcessSessionFixationHostFixture : IDisposable
{
    public OnePassHost Host { get; } = new(SessionFixationTests.HostOptions());

    public void Dispose() => Host.Dispose();
}

public sealed class RedisSessionFixationHostFixture : IDisposable
{
    public RedisSessionFixationHostFixture()
    {
        Host = new OnePassHost(SessionFixationTests.HostOptions(TestServices.RedisConnectionString, Prefix));
    }

    public string Prefix { get; } = $"test:{Guid.NewGuid():N}:";

    public OnePassHost Host { get; }

    public void Dispose() => Host.Dispose();
}
