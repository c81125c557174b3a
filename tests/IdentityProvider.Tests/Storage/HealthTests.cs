using System.Net;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Storage;

/// <summary>
/// CONTRACT §6: <c>/health/live</c> answers while the process runs; <c>/health/ready</c> only when the
/// database, and Redis where configured, answer. Each test starts its own host with its own storage.
/// </summary>
public sealed class HealthTests
{
    [Fact]
    [Trait(Catalogue.Row, "FT-01")]
    public async Task Ready_OnSqlite_Returns200()
    {
        using var host = new OnePassHost();

        var ready = await host.CreateProtocolClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-01")]
    public async Task Ready_WithRedisAnswering_Returns200()
    {
        using var host = new OnePassHost(new OnePassHostOptions { RedisConnectionString = TestServices.RedisConnectionString });

        var ready = await host.CreateProtocolClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-01")]
    public async Task Live_WithRedisDownAtStart_Returns200()
    {
        using var host = new OnePassHost(new OnePassHostOptions { RedisConnectionString = ClosedRedisPort() });

        var live = await host.CreateProtocolClient().GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-01")]
    public async Task Ready_WithRedisDownAtStart_Returns503()
    {
        using var host = new OnePassHost(new OnePassHostOptions { RedisConnectionString = ClosedRedisPort() });

        var ready = await host.CreateProtocolClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    // A loopback port that was free a moment ago: nothing answers there.
    private static string ClosedRedisPort() => $"127.0.0.1:{OnePassHost.FreePort()}";
}
