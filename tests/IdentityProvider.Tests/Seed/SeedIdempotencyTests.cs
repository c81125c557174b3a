using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Features.Seed;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Seed;

/// <summary>CONTRACT §3: applying the same seed file twice changes nothing (CATALOGUE IN-AD-08).</summary>
public sealed class SeedIdempotencyTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private readonly OnePassHost _host = fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task ApplySeed_SameFileTwice_ChangesNoRow()
    {
        // The host applied the default seed at start; this is the second application.
        var before = await TableChecksum.OfHostAsync(_host);
        var counts = await _host.CountRowsAsync();

        SeedResult? result = null;
        await _host.WithServicesAsync(async services =>
            result = await services.GetRequiredService<SeedApplier>().ApplyAsync(Parse(TestSeed.Create().ToJsonString()), requireHttps: false));

        Assert.NotNull(result);
        Assert.Equal(0, result.Created);
        Assert.Equal(0, result.Updated);
        Assert.Equal(counts, await _host.CountRowsAsync());
        Assert.Equal(before, await TableChecksum.OfHostAsync(_host));
    }

    internal static SeedFile Parse(string json) => JsonSerializer.Deserialize<SeedFile>(json, SeedFile.JsonOptions)!;
}
