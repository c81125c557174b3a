using System.Diagnostics;
using System.Net;
using OnePass.Cluster.Tests.Kit;
using OnePass.TestKit;
using Xunit.Abstractions;

namespace OnePass.Cluster.Tests;

/// <summary>
/// CATALOGUE FT-05: Redis stops answering for 3 s (SIGSTOP: connections stay open, nothing comes back).
/// Requests that need it give up within the ~1 s operation budget with 503 and <c>Retry-After</c>
/// instead of hanging, and the node recovers by itself once Redis answers again.
/// </summary>
public sealed class RedisPauseTests(OneNodeFixture fixture, ITestOutputHelper output) : IClassFixture<OneNodeFixture>, IDisposable
{
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2.5);

    private readonly NodeLogs _logs = new(output, fixture.Cluster);

    public void Dispose() => _logs.Dispose();

    private IdentityNode Node => fixture.A;

    [Fact]
    [Trait(Catalogue.Row, "FT-05")]
    public async Task Ready_WhileRedisIsPaused_Answers503WithinBudget()
    {
        await Node.WaitReadyAsync();
        var stopwatch = new Stopwatch();
        HttpStatusCode? ready;

        await using (PauseRedis())
        {
            stopwatch.Start();
            ready = await Node.ProbeAsync("/health/ready", TimeSpan.FromSeconds(10));
            stopwatch.Stop();
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
        Assert.True(stopwatch.Elapsed < Budget, $"took {stopwatch.Elapsed}");
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-05")]
    public async Task Authorize_WithSessionWhileRedisIsPaused_Answers503WithRetryAfterWithinBudget()
    {
        await Node.WaitReadyAsync();
        using var browser = new ClusterBrowser(Node);
        await ClusterFlows.SignInAsync(browser, Agency.Tax);
        var stopwatch = new Stopwatch();
        BrowserPage page;

        await using (PauseRedis())
        {
            stopwatch.Start();
            page = await browser.BeginAsync(ClusterFlows.Request(Agency.Health));
            stopwatch.Stop();
        }

        Assert.True(page.Status == HttpStatusCode.ServiceUnavailable, $"{page.Status} after {stopwatch.Elapsed}: {page.Uri}");
        Assert.NotNull(page.Response.Headers.RetryAfter);
        Assert.True(stopwatch.Elapsed < Budget, $"took {stopwatch.Elapsed}");
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-05")]
    public async Task SignIn_AfterRedisPause_SucceedsWithoutNodeRestart()
    {
        await Node.WaitReadyAsync();
        var processId = Node.ProcessId;
        using var browser = new ClusterBrowser(Node);
        await using (PauseRedis())
        {
            // Requests pile up against the stalled connection while it is paused.
            await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Node.ProbeAsync("/health/ready", TimeSpan.FromSeconds(10))));
        }

        await Node.WaitReadyAsync(TimeSpan.FromSeconds(15));
        var tokens = await ClusterFlows.SignInAsync(browser, Agency.Health);

        Assert.NotNull(tokens["id_token"]);
        Assert.Equal(processId, Node.ProcessId);
    }

    /// <summary>Pauses Redis now; disposing waits out the rest of the 3 s and resumes it.</summary>
    private PausedRedis PauseRedis()
    {
        fixture.Redis.Pause();
        return new PausedRedis(fixture.Redis, Stopwatch.StartNew());
    }

    private sealed class PausedRedis(RedisServer redis, Stopwatch since) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            var left = Pause - since.Elapsed;
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left);
            }

            redis.Resume();
        }
    }
}
