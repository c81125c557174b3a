using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using OnePass.IdentityProvider.Data;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Sessions;

/// <summary>
/// How the back-channel logout outbox gives up and retries (issue 3 item 3; CATALOGUE FT-16, AT-30):
/// delivery stops after <c>MaxAttempts</c> with status Failed, and every attempt is a freshly signed token
/// with its own <c>jti</c>, so an agency that refuses replayed <c>jti</c>s accepts a retry.
/// </summary>
public sealed class BackChannelDeliveryTests
{
    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task AgencyAnswering503Always_IsGivenUpAfterMaxAttemptsAsFailed()
    {
        await using var sso = await SingleLogoutHost.StartAsync(settings: new() { ["OnePass:BackChannelLogout:MaxAttempts"] = "3" });
        sso.Receiver.AnswerNext("tax", 503, 503, 503, 503, 503);
        using var browser = sso.Host.CreateBrowser();
        var idToken = (await sso.SignInThroughAsync(browser, Agency.Tax))["id_token"]!;

        await SingleLogoutHost.EndSessionAsync(browser, idToken);
        var row = await WaitForRowAsync(sso.Host, row => row.Status == LogoutNotificationStatus.Failed);

        Assert.Equal(3, row.Attempts);
        Assert.Equal(503, row.LastStatusCode);
        Assert.Null(row.DeliveredAt);
        Assert.Equal(3, sso.Receiver.Received("tax").Count); // nothing is sent after the last attempt
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task AgencyWhoseAnswerTimedOut_AcceptsTheRetry_SignedAnewWithItsOwnJti()
    {
        await using var agency = await ReplayRefusingAgency.StartAsync();
        await using var sso = await SingleLogoutHost.StartAsync((seed, _) =>
            SingleLogoutHost.SetClient(seed, TestSeed.TaxClient, "backchannelLogoutUri", agency.Uri));
        using var browser = sso.Host.CreateBrowser();
        var idToken = (await sso.SignInThroughAsync(browser, Agency.Tax))["id_token"]!;

        await SingleLogoutHost.EndSessionAsync(browser, idToken);
        var row = await WaitForRowAsync(sso.Host, row => row.Status != LogoutNotificationStatus.Pending);

        Assert.Equal(LogoutNotificationStatus.Delivered, row.Status);
        Assert.Equal(2, row.Attempts);
        var tokens = agency.Received.ToList();
        Assert.Equal(2, tokens.Count);
        Assert.NotEqual(tokens[0].Id, tokens[1].Id);
        Assert.Equal(tokens[1].Id, row.TokenId);
        Assert.True(tokens[1].IssuedAt >= tokens[0].IssuedAt);
        Assert.Equal(tokens[0].GetClaim("sid").Value, tokens[1].GetClaim("sid").Value);
    }

    private static async Task<LogoutNotification> WaitForRowAsync(OnePassHost host, Func<LogoutNotification, bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var row = await host.WithDatabaseAsync(db => db.LogoutNotifications.AsNoTracking().SingleOrDefaultAsync(n => n.ClientId == TestSeed.TaxClient));
            if (row is not null && condition(row))
            {
                return row;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"The outbox row never reached the expected state: {row?.Status} {row?.Attempts}.");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// An agency as the sample one behaves: a <c>jti</c> it has seen is refused with 400 (a replay). Its first
    /// answer comes too late for OnePass (the delivery timeout is 1 s), after it has processed the token.
    /// </summary>
    private sealed class ReplayRefusingAgency : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<string, bool> _seen = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<JsonWebToken> _received = new();
        private int _requests;
        private WebApplication? _app;

        public string Uri { get; } = $"http://127.0.0.1:{OnePassHost.FreePort()}/bcl";

        public IReadOnlyCollection<JsonWebToken> Received => _received;

        public static async Task<ReplayRefusingAgency> StartAsync()
        {
            var agency = new ReplayRefusingAgency();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(new Uri(agency.Uri).GetLeftPart(UriPartial.Authority));
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.MapPost("/bcl", async (HttpRequest request) =>
            {
                var form = await request.ReadFormAsync();
                var token = new JsonWebToken(form["logout_token"].ToString());
                agency._received.Enqueue(token);
                if (!agency._seen.TryAdd(token.Id, true))
                {
                    return Results.BadRequest("This logout token has already been used.");
                }

                if (Interlocked.Increment(ref agency._requests) == 1)
                {
                    await Task.Delay(TimeSpan.FromSeconds(3), CancellationToken.None); // processed; the answer is lost
                }

                return Results.Ok();
            });
            await app.StartAsync();
            agency._app = app;
            return agency;
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.StopAsync();
                await _app.DisposeAsync();
            }
        }
    }
}
