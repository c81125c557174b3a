using System.Text.Json;
using OnePass.IdentityProvider.Features.Seed;

namespace OnePass.IdentityProvider.Tests.Deploy;

/// <summary>The seed files deploy/ ships are accepted by the seed validator (CONTRACT §3) as they will run.</summary>
public sealed class SeedExampleTests
{
    [Theory]
    [InlineData("local/seed.json", false)]
    [InlineData("docker/seed.json", true)]
    public void SeedFile_AsShipped_IsValid(string file, bool requireHttps)
    {
        var seed = JsonSerializer.Deserialize<SeedFile>(File.ReadAllText(Path.Combine(DeployFiles.Deploy, file)), SeedFile.JsonOptions)!;

        Assert.Empty(SeedValidator.Validate(seed, requireHttps));
    }

    [Fact]
    public void KubernetesSeed_AsShipped_IsValidWithHttpsRequired()
    {
        var secret = DeployFiles.KubernetesObjects().Single(item => item.Document.Kind() == "Secret" && item.Document.Name() == "onepass-seed").Document;
        var seed = JsonSerializer.Deserialize<SeedFile>(secret.Map("stringData")!.Text("seed.json")!, SeedFile.JsonOptions)!;

        Assert.Empty(SeedValidator.Validate(seed, requireHttps: true));
    }

    [Fact]
    public void LocalSeed_EveryAgency_HasABackChannelLogoutUri()
    {
        var seed = JsonSerializer.Deserialize<SeedFile>(File.ReadAllText(Path.Combine(DeployFiles.Deploy, "local", "seed.json")), SeedFile.JsonOptions)!;

        Assert.Equal(2, seed.Clients.Count);
        Assert.All(seed.Clients, client => Assert.False(string.IsNullOrEmpty(client.BackchannelLogoutUri)));
        Assert.Single(seed.Users);
    }
}
