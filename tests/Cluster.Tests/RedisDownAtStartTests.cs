using System.Net;
using OnePass.Cluster.Tests.Kit;
using OnePass.TestKit;
using Xunit.Abstractions;

namespace OnePass.Cluster.Tests;

/// <summary>
/// CATALOGUE FT-01: a node whose Redis does not answer at start stays up, live but not ready, and never
/// falls back to sessions in its own memory (another node could not see them).
/// </summary>
public sealed class RedisDownAtStartTests(RedisDownFixture fixture, ITestOutputHelper output) : IClassFixture<RedisDownFixture>, IDisposable
{
    private readonly NodeLogs _logs = new(output, fixture.Cluster);

    public void Dispose() => _logs.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "FT-01")]
    public async Task Node_WithRedisDownAtStart_IsLiveButNotReady()
    {
        var live = await fixture.A.ProbeAsync("/health/live");
        var ready = await fixture.A.ProbeAsync("/health/ready");

        Assert.False(fixture.A.HasExited);
        Assert.Equal(HttpStatusCode.OK, live);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-01")]
    public async Task SignIn_WithRedisDown_IssuesNoCode()
    {
        using var browser = new ClusterBrowser(fixture.A);
        var request = ClusterFlows.Request(Agency.Health);

        var response = await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password));

        Assert.Null(response.Code);
        Assert.True((int)response.Page.Status >= 500 || response.Error is not null, // an error page or an error for the agency
            $"{response.Page.Uri} {response.Page.Status}");
    }
}

/// <summary>CATALOGUE FT-01: when Redis comes up, the node becomes ready by itself (no crash loop, no restart).</summary>
public sealed class RedisComesUpTests(RedisDownFixture fixture, ITestOutputHelper output) : IClassFixture<RedisDownFixture>, IDisposable
{
    private readonly NodeLogs _logs = new(output, fixture.Cluster);

    public void Dispose() => _logs.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "FT-01")]
    public async Task Node_WhenRedisComesUp_BecomesReadyWithoutRestart()
    {
        var processId = fixture.A.ProcessId;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await fixture.A.ProbeAsync("/health/ready"));

        await fixture.Redis.StartAsync();
        await fixture.A.WaitReadyAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(processId, fixture.A.ProcessId);
        Assert.False(fixture.A.HasExited);
    }
}
