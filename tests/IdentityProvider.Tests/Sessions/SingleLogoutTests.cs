using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OnePass.IdentityProvider.Data;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Sessions;

/// <summary>
/// Single logout (issue 3, CATALOGUE AT-30, FT-16): ending a session notifies every agency that took
/// part in it, by back-channel logout tokens from the outbox and by front-channel iframes.
/// </summary>
public sealed class SingleLogoutTests : IAsyncLifetime
{
    private SingleLogoutHost _sso = null!;

    private OnePassHost Host => _sso.Host;

    public async Task InitializeAsync() => _sso = await SingleLogoutHost.StartAsync((seed, receiver) =>
    {
        // Five more agencies for the FT-16 test, each with its own receiver path.
        foreach (var name in FanOutAgencies)
        {
            var client = TestSeed.Client(name, TestSeed.TaxSecret, name, [$"http://127.0.0.1:7001/{name}"], [], "implicit",
                ["authorization_code"], ["openid"]);
            client["backchannelLogoutUri"] = receiver.UriFor(name);
            seed["clients"]!.AsArray().Add(client);
        }
    });

    public async Task DisposeAsync() => await _sso.DisposeAsync();

    private static readonly string[] FanOutAgencies = ["agency-f1", "agency-f2", "agency-f3", "agency-f4", "agency-f5"];

    /// <summary>Validates a logout token as an agency must (Back-Channel Logout 1.0 §2.6), with the keys from JWKS.</summary>
    private async Task<JsonWebToken> ValidateLogoutTokenAsync(string token, string audience)
    {
        var jwks = new JsonWebKeySet(await Host.CreateProtocolClient().GetStringAsync("/.well-known/jwks"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Host.Issuer.ToString(),
            ValidAudience = audience,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = ["logout+jwt"],
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        return (JsonWebToken)result.SecurityToken;
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task EndSession_AfterTwoAgencies_SendsEachAValidLogoutTokenWithItsOwnSidAndSub()
    {
        using var browser = Host.CreateBrowser();
        var tax = Tokens.Read((await _sso.SignInThroughAsync(browser, Agency.Tax))["id_token"]!);
        var health = Tokens.Read((await _sso.SignInThroughAsync(browser, Agency.Health))["id_token"]!);

        var page = await SingleLogoutHost.EndSessionAsync(browser, tax.EncodedToken);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var taxToken = await ValidateLogoutTokenAsync((await _sso.Receiver.WaitForAsync("tax")).Single(), TestSeed.TaxClient);
        var healthToken = await ValidateLogoutTokenAsync((await _sso.Receiver.WaitForAsync("health")).Single(), TestSeed.HealthClient);
        Assert.Equal(tax.GetClaim("sid").Value, taxToken.GetClaim("sid").Value);
        Assert.Equal(tax.Subject, taxToken.Subject);
        Assert.Equal(health.GetClaim("sid").Value, healthToken.GetClaim("sid").Value);
        Assert.Equal(health.Subject, healthToken.Subject);
        Assert.NotEqual(taxToken.GetClaim("sid").Value, healthToken.GetClaim("sid").Value); // no correlation handle
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task LogoutToken_HasEventsJtiShortExpiryAndNoNonce()
    {
        using var browser = Host.CreateBrowser();
        var tax = (await _sso.SignInThroughAsync(browser, Agency.Tax))["id_token"]!;

        await SingleLogoutHost.EndSessionAsync(browser, tax);
        var token = Tokens.Read((await _sso.Receiver.WaitForAsync("tax")).Single());

        Assert.Equal("logout+jwt", token.Typ);
        Assert.Equal(JsonValueKind.Object, token.GetPayloadValue<JsonElement>("events").GetProperty("http://schemas.openid.net/event/backchannel-logout").ValueKind);
        Assert.False(token.TryGetPayloadValue<string>("nonce", out _));
        Assert.False(string.IsNullOrEmpty(token.Id));
        Assert.InRange(token.ValidTo - token.IssuedAt, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));
        var jwks = new JsonWebKeySet(await Host.CreateProtocolClient().GetStringAsync("/.well-known/jwks"));
        Assert.Contains(jwks.Keys, key => key.Kid == token.Kid);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task LogoutTokens_OfTwoSessions_HaveDifferentJti()
    {
        foreach (var _ in Enumerable.Range(0, 2))
        {
            using var browser = Host.CreateBrowser();
            var tax = (await _sso.SignInThroughAsync(browser, Agency.Tax))["id_token"]!;
            await SingleLogoutHost.EndSessionAsync(browser, tax);
        }

        var tokens = await _sso.Receiver.WaitForAsync("tax", 2);

        Assert.Equal(2, tokens.Select(token => Tokens.Read(token).Id).Distinct().Count());
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task EndSession_WithFrontChannelAgency_ShowsIframeWithIssAndSidThenContinues()
    {
        using var browser = Host.CreateBrowser();
        var health = Tokens.Read((await _sso.SignInThroughAsync(browser, Agency.Health))["id_token"]!);

        var page = await SingleLogoutHost.EndSessionAsync(browser, health.EncodedToken, TestSeed.HealthPostLogout, "st-1");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var frame = page.Document.QuerySelector("iframe.frontchannel-logout")?.GetAttribute("data-src");
        Assert.NotNull(frame);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(frame).Query);
        Assert.StartsWith(SingleLogoutHost.HealthFrontChannel + "?", frame, StringComparison.Ordinal);
        Assert.Equal(Host.Issuer.ToString(), query["iss"].ToString());
        Assert.Equal(health.GetClaim("sid").Value, query["sid"].ToString());
        Assert.Equal(TestSeed.HealthPostLogout + "?state=st-1", page.Document.QuerySelector("#continue")?.GetAttribute("href"));
        Assert.Contains("frame-src http://localhost:7002", page.Response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task BackChannel_AgencyAnswering503_IsRetriedUntilDelivered()
    {
        _sso.Receiver.AnswerNext("tax", 503, 500);
        using var browser = Host.CreateBrowser();
        var tax = (await _sso.SignInThroughAsync(browser, Agency.Tax))["id_token"]!;

        await SingleLogoutHost.EndSessionAsync(browser, tax);
        var attempts = await _sso.Receiver.WaitForAsync("tax", 3);
        var row = await WaitForStatusAsync(TestSeed.TaxClient, LogoutNotificationStatus.Delivered);

        Assert.Equal(3, row.Attempts);
        var jtis = attempts.Select(token => Tokens.Read(token).Id).ToList();
        Assert.Equal(3, jtis.Distinct().Count()); // each attempt signed anew, with its own jti
        Assert.Equal(jtis[^1], row.TokenId);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task BackChannel_AgencyDownThenBack_ReceivesItsNotification()
    {
        using var browser = Host.CreateBrowser();
        var tax = (await _sso.SignInThroughAsync(browser, Agency.Tax))["id_token"]!;
        await _sso.Receiver.StopAsync();

        await SingleLogoutHost.EndSessionAsync(browser, tax);
        var pending = await WaitForAttemptsAsync(TestSeed.TaxClient, 2);
        await _sso.Receiver.StartAsync();

        await _sso.Receiver.WaitForAsync("tax", timeout: TimeSpan.FromSeconds(30));
        var row = await WaitForStatusAsync(TestSeed.TaxClient, LogoutNotificationStatus.Delivered);
        Assert.Equal(LogoutNotificationStatus.Pending, pending.Status);
        Assert.NotNull(pending.LastError);
        Assert.NotNull(row.DeliveredAt);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task BackChannel_AgencyRefusingWith400_IsNotRetried()
    {
        _sso.Receiver.AnswerNext("tax", 400);
        using var browser = Host.CreateBrowser();
        var tax = (await _sso.SignInThroughAsync(browser, Agency.Tax))["id_token"]!;

        await SingleLogoutHost.EndSessionAsync(browser, tax);
        var row = await WaitForStatusAsync(TestSeed.TaxClient, LogoutNotificationStatus.Failed);

        Assert.Equal(1, row.Attempts);
        Assert.Equal(400, row.LastStatusCode);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task EndSession_WithOneOfFiveAgenciesHanging_EndsAtOnceAndTheOthersAreNotHeldUp()
    {
        // Five agencies in one session, one of which hangs for 30 s (the delivery timeout here is 1 s).
        _sso.Receiver.Hang("agency-f3", TimeSpan.FromSeconds(30));
        using var browser = Host.CreateBrowser();
        string? idToken = null;
        foreach (var name in FanOutAgencies)
        {
            var agency = new Agency(name, TestSeed.TaxSecret, $"http://127.0.0.1:7001/{name}", "openid");
            idToken = (await _sso.SignInThroughAsync(browser, agency))["id_token"];
        }

        var clock = Stopwatch.StartNew();
        var page = await SingleLogoutHost.EndSessionAsync(browser, idToken!);
        var signOutTime = clock.Elapsed;
        foreach (var name in FanOutAgencies.Where(name => name != "agency-f3"))
        {
            await _sso.Receiver.WaitForAsync(name, timeout: TimeSpan.FromSeconds(5));
        }

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.True(signOutTime < TimeSpan.FromSeconds(5), $"The sign-out took {signOutTime}.");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"The other agencies were held up: {clock.Elapsed}.");
        var hanging = await WaitForAttemptsAsync("agency-f3", 1);
        Assert.Equal(LogoutNotificationStatus.Pending, hanging.Status); // timed out, to be retried
    }

    private async Task<LogoutNotification> WaitForStatusAsync(string clientId, LogoutNotificationStatus status) =>
        await WaitForRowAsync(clientId, row => row.Status == status);

    private async Task<LogoutNotification> WaitForAttemptsAsync(string clientId, int attempts) =>
        await WaitForRowAsync(clientId, row => row.Attempts >= attempts && row.LastError is not null);

    private async Task<LogoutNotification> WaitForRowAsync(string clientId, Func<LogoutNotification, bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var row = await Host.WithDatabaseAsync(db => db.LogoutNotifications.AsNoTracking().SingleOrDefaultAsync(n => n.ClientId == clientId));
            if (row is not null && condition(row))
            {
                return row;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"The outbox row for {clientId} never reached the expected state: {row?.Status} {row?.Attempts}.");
            await Task.Delay(100);
        }
    }
}
