using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OnePass.Cluster.Tests.Kit;
using OnePass.IdentityProvider.Data;
using OnePass.TestKit;
using Xunit.Abstractions;

namespace OnePass.Cluster.Tests;

/// <summary>
/// Single logout from a cluster (issue 3; CATALOGUE AT-30, FT-16, FT-17, FT-08): two real
/// identity-provider processes on one PostgreSQL database and one Redis, and a stand-in server for the
/// agencies tax and health. The outbox lives in the database, so any node delivers what another queued,
/// also after that node died or the whole cluster restarted, and two nodes never send one notification
/// at the same moment.
/// </summary>
[TestCaseOrderer(StopsNodesLast.TypeName, StopsNodesLast.AssemblyName)]
public sealed class ClusterLogoutTests(LogoutClusterFixture fixture, ITestOutputHelper output) : IClassFixture<LogoutClusterFixture>, IDisposable
{
    private const string Scope = "openid";
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);

    private readonly NodeLogs _logs = new(output, fixture.Cluster);

    private LogoutReceiver Receiver => fixture.Receiver;

    public void Dispose() => _logs.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    [Trait(Catalogue.Row, "FT-08")]
    public async Task EndSession_OnNodeB_AfterSignInOnAAndSsoOnB_SendsBothAgenciesAValidLogoutToken()
    {
        await fixture.EnsureRunningAsync();
        using var browser = new ClusterBrowser(fixture.A);
        var tax = await SignInAsync(browser, Agency.Tax);
        browser.Node = fixture.B;
        var health = await SignInAsync(browser, Agency.Health);

        var page = await EndSessionAsync(browser, health.EncodedToken);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        using var jwksFromA = fixture.A.CreateProtocolClient();
        var jwks = new JsonWebKeySet(await jwksFromA.GetStringAsync("/.well-known/jwks"));
        foreach (var (agency, idToken) in new[] { ("tax", tax), ("health", health) })
        {
            var received = await Receiver.WaitForAsync(agency, token => SidOf(token) == SidOf(idToken));
            Assert.Single(received.Select(token => token.Id).Distinct()); // a retry after a timeout repeats the same jti
            var logoutToken = await ValidateLogoutTokenAsync(received[0].EncodedToken, idToken.Audiences.Single(), jwks);
            Assert.Equal("logout+jwt", logoutToken.Typ);
            Assert.Equal(idToken.Subject, logoutToken.Subject);
            Assert.Equal(JsonValueKind.Object,
                logoutToken.GetPayloadValue<JsonElement>("events").GetProperty("http://schemas.openid.net/event/backchannel-logout").ValueKind);
            Assert.False(logoutToken.TryGetPayloadValue<string>("nonce", out _));
            Assert.False(string.IsNullOrEmpty(logoutToken.Id));
        }
    }

    [Fact]
    [StopsNodes]
    [Trait(Catalogue.Row, "FT-16")]
    [Trait(Catalogue.Row, "FT-08")]
    public async Task BackChannel_AgencyDownAndQueuingNodeKilled_IsDeliveredByTheOtherNodeWhenTheAgencyIsBack()
    {
        await fixture.EnsureRunningAsync();
        using var browser = new ClusterBrowser(fixture.A);
        var tax = await SignInAsync(browser, Agency.Tax);
        var sid = SidOf(tax);
        var queuingNode = fixture.A;
        IReadOnlyList<OutboxRow> failed, delivered;

        await Receiver.StopAsync();
        try
        {
            await EndSessionAsync(browser, tax.EncodedToken);
            failed = await fixture.WaitForOutboxAsync([sid], rows => rows.Count == 1 && rows[0].Attempts >= 1 && rows[0].LastError is not null);
            await queuingNode.KillAsync();
            await Receiver.StartAsync();
            delivered = await fixture.WaitForOutboxAsync([sid], rows => rows[0].Status == LogoutNotificationStatus.Delivered, DeliveryTimeout);
        }
        finally
        {
            await Receiver.StartAsync();
        }

        Assert.Equal(LogoutNotificationStatus.Pending, failed[0].Status);
        Assert.True(queuingNode.HasExited);
        Assert.False(fixture.B.HasExited);
        Assert.NotNull(delivered[0].DeliveredAt);
        // Every attempt signs a fresh token (new jti); the row keeps the one that was delivered.
        Assert.Contains(delivered[0].TokenId, Receiver.Tokens("tax").Where(token => SidOf(token) == sid).Select(token => token.Id));
    }

    /// <summary>Begins on whatever nodes are running (another test may have killed one): both are started afresh anyway.</summary>
    [Fact]
    [StopsNodes]
    [Trait(Catalogue.Row, "FT-17")]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task BackChannel_PendingWhileBothNodesRestart_IsDeliveredExactlyOncePerAgency()
    {
        if (fixture.Running.Count == 0)
        {
            await fixture.EnsureRunningAsync();
        }

        using var browser = new ClusterBrowser(fixture.Running[0]);
        var tax = await SignInAsync(browser, Agency.Tax);
        browser.Node = fixture.Running[^1];
        var health = await SignInAsync(browser, Agency.Health);
        string[] sids = [SidOf(tax), SidOf(health)];
        IReadOnlyList<OutboxRow> whileDown, delivered;
        int runningWhileDown;

        await Receiver.StopAsync();
        try
        {
            await EndSessionAsync(browser, health.EncodedToken);
            await fixture.WaitForOutboxAsync(sids, rows => rows.Count == 2 && rows.All(row => row.Attempts >= 1 && row.LastError is not null));
            await fixture.StopAllAsync();
            runningWhileDown = fixture.Running.Count;
            whileDown = await fixture.OutboxAsync(sids);
            await Receiver.StartAsync();
            await fixture.EnsureRunningAsync();
            delivered = await fixture.WaitForOutboxAsync(sids, rows => rows.All(row => row.Status == LogoutNotificationStatus.Delivered), DeliveryTimeout);
        }
        finally
        {
            await Receiver.StartAsync();
        }

        Assert.Equal(0, runningWhileDown);
        Assert.All(whileDown, row => Assert.Equal(LogoutNotificationStatus.Pending, row.Status));
        Assert.Equal(2, delivered.Count);
        foreach (var row in delivered)
        {
            var agency = row.ClientId == TestSeed.TaxClient ? "tax" : "health";
            var jtis = Receiver.Tokens(agency).Where(token => sids.Contains(SidOf(token))).Select(token => token.Id).Distinct().ToList();
            Assert.Contains(row.TokenId, jtis); // each attempt has its own jti; the row keeps the delivered one
        }
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task BackChannel_TwentySessionsEndedAtOnceAcrossNodes_NoNotificationIsInFlightTwiceAtOnce()
    {
        await fixture.EnsureRunningAsync();

        // Twenty sessions, at tax and health in turn, begun on one node and ended on the other.
        var sessions = new (ClusterBrowser Browser, JsonWebToken IdToken)[20];
        await Parallel.ForEachAsync(Enumerable.Range(0, sessions.Length), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            var browser = new ClusterBrowser(i % 2 == 0 ? fixture.A : fixture.B);
            var idToken = await SignInAsync(browser, i % 4 < 2 ? Agency.Tax : Agency.Health);
            browser.Node = i % 2 == 0 ? fixture.B : fixture.A;
            sessions[i] = (browser, idToken);
        });
        var sids = sessions.Select(session => SidOf(session.IdToken)).ToArray();
        Receiver.Hold = TimeSpan.FromMilliseconds(300);
        IReadOnlyList<OutboxRow> rows;

        try
        {
            var pages = await Task.WhenAll(sessions.Select(session => EndSessionAsync(session.Browser, session.IdToken.EncodedToken)));
            Assert.All(pages, page => Assert.Equal(HttpStatusCode.OK, page.Status));
            rows = await fixture.WaitForOutboxAsync(sids,
                found => found.Count == sids.Length && found.All(row => row.Status == LogoutNotificationStatus.Delivered), DeliveryTimeout);
        }
        finally
        {
            Receiver.Hold = TimeSpan.Zero;
            foreach (var session in sessions)
            {
                session.Browser?.Dispose();
            }
        }

        var received = Receiver.Tokens("tax").Select(token => (TestSeed.TaxClient, token.Id))
            .Concat(Receiver.Tokens("health").Select(token => (TestSeed.HealthClient, token.Id))).ToHashSet();
        Assert.Equal(2, rows.Select(row => row.ClientId).Distinct().Count());
        Assert.All(rows, row =>
        {
            Assert.Contains((row.ClientId, row.TokenId), received);
            Assert.Equal(1, Receiver.MaxInFlight(row.TokenId));
        });
    }

    private static async Task<JsonWebToken> SignInAsync(ClusterBrowser browser, Agency agency)
    {
        var tokens = await ClusterFlows.SignInAsync(browser, agency, scope: Scope);
        return Tokens.Read(tokens["id_token"]!);
    }

    /// <summary>RP-initiated logout with the ID token as hint (no confirmation page), at the browser's node.</summary>
    private static Task<BrowserPage> EndSessionAsync(ClusterBrowser browser, string idToken) =>
        browser.NavigateAsync(QueryHelpers.AddQueryString("/connect/endsession", "id_token_hint", idToken));

    /// <summary>Validates a logout token as an agency must (Back-Channel Logout 1.0 §2.6), with the keys from JWKS.</summary>
    private async Task<JsonWebToken> ValidateLogoutTokenAsync(string token, string audience, JsonWebKeySet jwks)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = fixture.Cluster.Issuer.ToString(),
            ValidAudience = audience,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = ["logout+jwt"],
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        return (JsonWebToken)result.SecurityToken;
    }

    private static string SidOf(JsonWebToken token) => token.GetClaim("sid").Value;
}
