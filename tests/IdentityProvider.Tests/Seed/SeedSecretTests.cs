using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Features.Seed;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Seed;

/// <summary>A changed client secret in the seed replaces the stored one, which is kept hashed (CONTRACT §3).</summary>
public sealed class SeedSecretTests : IDisposable
{
    private const string NewSecret = "batch-secret-rotated-0123456789-0123456789";

    private readonly OnePassHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task ApplySeed_WithChangedSecret_OldSecretFailsAndNewSecretWorks()
    {
        await ApplyWithNewSecretAsync();
        var tokens = new TokenClient(_host.CreateProtocolClient());

        var old = await tokens.ClientCredentialsAsync(TestSeed.MachineClient, TestSeed.MachineSecret);
        var rotated = await tokens.ClientCredentialsAsync(TestSeed.MachineClient, NewSecret);

        Assert.Equal(HttpStatusCode.Unauthorized, old.Status);
        Assert.Equal("invalid_client", old.Error);
        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        Assert.NotNull(rotated["access_token"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task ApplySeed_WithChangedSecret_StoresTheSecretHashed()
    {
        await ApplyWithNewSecretAsync();

        var stored = await _host.WithDatabaseAsync(db => db.Database
            .SqlQuery<string>($"SELECT \"ClientSecret\" AS \"Value\" FROM \"OpenIddictApplications\" WHERE \"ClientId\" = {TestSeed.MachineClient}")
            .SingleAsync());

        Assert.False(string.IsNullOrEmpty(stored));
        Assert.DoesNotContain(NewSecret, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(TestSeed.MachineSecret, stored, StringComparison.Ordinal);
    }

    private async Task ApplyWithNewSecretAsync()
    {
        var seed = TestSeed.Create();
        var batch = seed["clients"]!.AsArray().Single(client => (string?)client!["clientId"] == TestSeed.MachineClient)!;
        batch["clientSecret"] = NewSecret;

        SeedResult? result = null;
        await _host.WithServicesAsync(async services =>
            result = await services.GetRequiredService<SeedApplier>().ApplyAsync(SeedIdempotencyTests.Parse(seed.ToJsonString()), requireHttps: false));
        Assert.Equal(1, result!.Updated);
    }
}
