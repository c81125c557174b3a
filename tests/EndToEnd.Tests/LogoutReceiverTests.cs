using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OnePass.TestKit;
using OpenIddict.Server;

namespace OnePass.EndToEnd.Tests;

/// <summary>
/// The sample agency site's single-logout receivers (samples/AgencySite/Logout.cs): back-channel logout
/// tokens (Back-Channel Logout 1.0 §2.4–2.8) signed here with OnePass's current signing key, and
/// front-channel logout requests (Front-Channel Logout 1.0), against a citizen signed in through the sample.
/// </summary>
public sealed class LogoutReceiverTests(AgencySitesFixture sites) : IClassFixture<AgencySitesFixture>
{
    private const string BackChannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout";

    private AgencySiteHost Site => sites.First;

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task BackChannelLogout_WithValidToken_EndsLocalSession()
    {
        using var citizen = await SignInAsync(TestSeed.Citizen);

        using var response = await PostLogoutTokenAsync(CreateLogoutToken(LogoutClaims(citizen.Sid, citizen.Sub)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await AssertSessionEndedAsync(citizen.Browser);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task BackChannelLogout_WithSubOnly_EndsEverySessionOfTheCitizen()
    {
        using var morning = await SignInAsync(TestSeed.OtherCitizen);
        using var evening = await SignInAsync(TestSeed.OtherCitizen);
        var claims = LogoutClaims(morning.Sid, morning.Sub);
        claims.Remove("sid");

        using var response = await PostLogoutTokenAsync(CreateLogoutToken(claims));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await AssertSessionEndedAsync(morning.Browser);
        await AssertSessionEndedAsync(evening.Browser);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task BackChannelLogout_Answer_IsNotCached()
    {
        using var response = await PostLogoutTokenAsync(CreateLogoutToken(LogoutClaims("unknown-sid", "unknown-sub")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, response.Headers.CacheControl?.ToString());
    }

    [Theory]
    [Trait(Catalogue.Row, "AT-30")]
    [InlineData("signed with another key", "InvalidSignature")]
    [InlineData("typ JWT", "InvalidType")]
    [InlineData("no typ", "InvalidType")]
    [InlineData("another audience", "InvalidAudience")]
    [InlineData("another issuer", "InvalidIssuer")]
    [InlineData("expired", "Expired")]
    [InlineData("no exp", "NoExpiration")]
    [InlineData("no iat", "iat")]
    [InlineData("no events", "events")]
    [InlineData("events member not an object", "events")]
    [InlineData("events without the back-channel member", "events")]
    [InlineData("nonce", "nonce")]
    [InlineData("neither sid nor sub", "neither sid nor sub")]
    [InlineData("no jti", "jti")]
    public async Task BackChannelLogout_WithDefectiveToken_Returns400AndKeepsSession(string defect, string reason)
    {
        using var citizen = await SignInAsync(TestSeed.Citizen);
        var claims = LogoutClaims(citizen.Sid, citizen.Sub);
        var type = "logout+jwt";
        var key = OnePassSigningKey();
        using var otherKey = RSA.Create(2048);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        switch (defect)
        {
            case "signed with another key":
                key = new SigningCredentials(new RsaSecurityKey(otherKey) { KeyId = key.Key.KeyId }, SecurityAlgorithms.RsaSha256);
                break;
            case "typ JWT":
                type = "JWT";
                break;
            case "no typ":
                type = null;
                break;
            case "another audience":
                claims["aud"] = AgencySitesFixture.SecondClient;
                break;
            case "another issuer":
                claims["iss"] = "http://127.0.0.1:1/";
                break;
            case "expired":
                claims["iat"] = now - 600;
                claims["exp"] = now - 300;
                break;
            case "no exp":
                claims.Remove("exp");
                break;
            case "no iat":
                claims.Remove("iat");
                break;
            case "no events":
                claims.Remove("events");
                break;
            case "events member not an object":
                claims["events"] = new Dictionary<string, object> { [BackChannelLogoutEvent] = true };
                break;
            case "events without the back-channel member":
                claims["events"] = new Dictionary<string, object> { ["http://schemas.openid.net/event/other"] = new Dictionary<string, object>() };
                break;
            case "nonce":
                claims["nonce"] = "n-0S6_WzA2Mj";
                break;
            case "neither sid nor sub":
                claims.Remove("sid");
                claims.Remove("sub");
                break;
            case "no jti":
                claims.Remove("jti");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(defect), defect, null);
        }

        using var response = await PostLogoutTokenAsync(CreateLogoutToken(claims, type, key));

        Assert.Contains(reason, await AssertInvalidRequestAsync(response), StringComparison.Ordinal);
        await AssertSessionKeptAsync(citizen.Browser);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task BackChannelLogout_WithReplayedJti_Returns400()
    {
        using var citizen = await SignInAsync(TestSeed.Citizen);
        var token = CreateLogoutToken(LogoutClaims(citizen.Sid, citizen.Sub));
        using var first = await PostLogoutTokenAsync(token);

        using var replay = await PostLogoutTokenAsync(token);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await AssertInvalidRequestAsync(replay);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task BackChannelLogout_WithoutLogoutToken_Returns400()
    {
        using var http = new HttpClient();

        using var response = await http.PostAsync(Site.At("/backchannel-logout"), new FormUrlEncodedContent([new("token", "x")]));

        await AssertInvalidRequestAsync(response);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task BackChannelLogout_WithGet_Returns405()
    {
        using var http = new HttpClient();

        using var response = await http.GetAsync(Site.At("/backchannel-logout"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task FrontChannelLogout_WithIssuerAndSid_EndsLocalSession()
    {
        using var citizen = await SignInAsync(TestSeed.Citizen);

        using var response = await GetFrontChannelLogoutAsync(sites.IdentityProvider.Issuer.ToString(), citizen.Sid);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await AssertSessionEndedAsync(citizen.Browser);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task FrontChannelLogout_WithAnotherIssuer_Returns400AndKeepsSession()
    {
        using var citizen = await SignInAsync(TestSeed.Citizen);

        using var response = await GetFrontChannelLogoutAsync("http://127.0.0.1:1/", citizen.Sid);

        await AssertInvalidRequestAsync(response);
        await AssertSessionKeptAsync(citizen.Browser);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task FrontChannelLogout_Page_MayBeFramedOnlyByOnePassAndIsNotCached()
    {
        using var response = await GetFrontChannelLogoutAsync(sites.IdentityProvider.Issuer.ToString(), "unknown-sid");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"frame-ancestors {sites.IdentityProvider.Issuer.GetLeftPart(UriPartial.Authority)}",
            response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.True(response.Headers.CacheControl is { NoCache: true, NoStore: true }, response.Headers.CacheControl?.ToString());
    }

    /// <summary>The claims OnePass puts in a logout token for this agency (Back-Channel Logout 1.0 §2.4).</summary>
    private Dictionary<string, object> LogoutClaims(string sid, string sub)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["iss"] = sites.IdentityProvider.Issuer.ToString(),
            ["aud"] = AgencySitesFixture.FirstClient,
            ["iat"] = now,
            ["exp"] = now + 120,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["events"] = new Dictionary<string, object> { [BackChannelLogoutEvent] = new Dictionary<string, object>() },
            ["sid"] = sid,
            ["sub"] = sub,
        };
    }

    private string CreateLogoutToken(Dictionary<string, object> claims, string? type = "logout+jwt", SigningCredentials? key = null)
    {
        key ??= OnePassSigningKey();
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var token = handler.CreateToken(new SecurityTokenDescriptor { Claims = claims, SigningCredentials = key, TokenType = type ?? "JWT" });
        return type is null ? WithoutType(token, key) : token;
    }

    /// <summary>Drops typ from the header (the handler always writes one) and signs again.</summary>
    private static string WithoutType(string token, SigningCredentials key)
    {
        var parts = token.Split('.');
        var header = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.Decode(parts[0]))!;
        header.Remove("typ");
        var input = $"{Base64UrlEncoder.Encode(JsonSerializer.Serialize(header))}.{parts[1]}";
        return $"{input}.{JwtTokenUtilities.CreateEncodedSignature(input, key)}";
    }

    private SigningCredentials OnePassSigningKey() =>
        sites.IdentityProvider.Services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue.SigningCredentials
            .First(credentials => credentials.Key is AsymmetricSecurityKey); // the published key, not the server-only one

    private async Task<HttpResponseMessage> PostLogoutTokenAsync(string token)
    {
        using var http = new HttpClient();
        return await http.PostAsync(Site.At("/backchannel-logout"), new FormUrlEncodedContent([new("logout_token", token)]));
    }

    private async Task<HttpResponseMessage> GetFrontChannelLogoutAsync(string issuer, string sid)
    {
        using var http = new HttpClient();
        return await http.GetAsync(Site.At($"/frontchannel-logout?iss={Uri.EscapeDataString(issuer)}&sid={Uri.EscapeDataString(sid)}"));
    }

    /// <summary>Signs in at the agency through OnePass's password and consent pages; returns the OnePass sid and sub it keeps.</summary>
    private async Task<SignedInCitizen> SignInAsync(string username)
    {
        var browser = new Browser();
        var page = await browser.NavigateAsync(Site.At("/me"));
        if (page.IsLoginPage)
        {
            page = await browser.SubmitAsync(page, new Dictionary<string, string> { ["username"] = username, ["password"] = TestSeed.Password });
        }

        if (page.IsConsentPage)
        {
            page = await browser.SubmitAsync(page, submitName: "decision", submitValue: "allow");
        }

        Assert.True(page.Uri == Site.At("/me") && page.Status == HttpStatusCode.OK, $"{page.Uri} {page.Status}");
        var claims = page.Document.QuerySelectorAll("tbody tr")
            .Select(row => row.QuerySelectorAll("td").Select(cell => cell.TextContent).ToArray())
            .ToDictionary(cells => cells[0], cells => cells[1], StringComparer.Ordinal);
        return new SignedInCitizen(browser, claims["sid"], claims["sub"]);
    }

    /// <summary>The agency's /me with the browser's cookies and no redirect followed: 200 while the local session lives.</summary>
    private async Task<HttpResponseMessage> GetMeAsync(Browser browser)
    {
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = browser.Cookies, AllowAutoRedirect = false });
        return await http.GetAsync(Site.At("/me"));
    }

    private async Task AssertSessionKeptAsync(Browser browser)
    {
        using var me = await GetMeAsync(browser);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    private async Task AssertSessionEndedAsync(Browser browser)
    {
        using var me = await GetMeAsync(browser);
        Assert.Equal(HttpStatusCode.Redirect, me.StatusCode);
        Assert.Equal(sites.IdentityProvider.Issuer.Authority, me.Headers.Location?.Authority);
    }

    /// <summary>Asserts Back-Channel Logout 1.0 §2.8's 400 with a JSON error; returns its error_description.</summary>
    private static async Task<string> AssertInvalidRequestAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_request", body.RootElement.GetProperty("error").GetString());
        var description = body.RootElement.GetProperty("error_description").GetString();
        Assert.False(string.IsNullOrEmpty(description));
        return description;
    }

    private sealed record SignedInCitizen(Browser Browser, string Sid, string Sub) : IDisposable
    {
        public void Dispose() => Browser.Dispose();
    }
}
