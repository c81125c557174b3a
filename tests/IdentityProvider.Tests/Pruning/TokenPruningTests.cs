using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.TestKit;
using OpenIddict.EntityFrameworkCore.Models;

namespace OnePass.IdentityProvider.Tests.Pruning;

/// <summary>Finished tokens are removed once older than the keep period; live ones stay (CATALOGUE LD-02).</summary>
public sealed class TokenPruningTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly OnePassHost _host;

    public TokenPruningTests() => _host = new OnePassHost(new OnePassHostOptions
    {
        ConfigureServices = services => services.AddSingleton<TimeProvider>(_clock),
        Settings = { ["OnePass:Pruning:KeepFor"] = "1.00:00:00" },
    });

    public void Dispose() => _host.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "LD-02")]
    public async Task Prune_AfterKeepPeriod_RemovesRedeemedTokensButKeepsTheLiveRefreshToken()
    {
        var tokenClient = new TokenClient(_host.CreateProtocolClient());
        var first = await Agency.Health.TokensAsync(_host);
        var second = await tokenClient.RefreshAsync(TestSeed.HealthClient, TestSeed.HealthSecret, first["refresh_token"]!);
        Assert.True(await RedeemedCountAsync() > 0);
        _clock.Advance(TimeSpan.FromDays(2));

        await _host.Services.GetRequiredService<TokenPruning>().PruneOnceAsync();

        Assert.Equal(0, await RedeemedCountAsync());
        var third = await tokenClient.RefreshAsync(TestSeed.HealthClient, TestSeed.HealthSecret, second["refresh_token"]!);
        Assert.Equal(HttpStatusCode.OK, third.Status);
    }

    private Task<int> RedeemedCountAsync() => _host.WithDatabaseAsync(db =>
        db.Set<OpenIddictEntityFrameworkCoreToken<Guid>>().CountAsync(token => token.Status == "redeemed"));
}
