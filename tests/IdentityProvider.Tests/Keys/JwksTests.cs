using OnePass.IdentityProvider.Infrastructure.Keys;
using OnePass.TestKit;
using OpenIddict.Server;

namespace OnePass.IdentityProvider.Tests.Keys;

public sealed class JwksTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

    private readonly OnePassHost _host = fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "IN-DS-03")]
    public async Task Jwks_Always_PublishesPublicMembersOnly()
    {
        var keys = await SignInFlow.JwksKeysAsync(_host);

        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.DoesNotContain(PrivateMembers, member => key.TryGetProperty(member, out _)));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-DS-03")]
    public async Task Jwks_Always_HasDistinctKidsWithUseAndAlg()
    {
        var keys = await SignInFlow.JwksKeysAsync(_host);

        var kids = keys.Select(key => key.GetProperty("kid").GetString()).ToList();
        Assert.Equal(kids.Count, kids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(keys, key =>
        {
            Assert.False(string.IsNullOrEmpty(key.GetProperty("use").GetString()));
            Assert.False(string.IsNullOrEmpty(key.GetProperty("alg").GetString()));
        });
        Assert.Contains(keys, key => key.GetProperty("use").GetString() == "sig" && key.GetProperty("alg").GetString() == "RS256");
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-10")]
    public void ConfigureServerKeys_WithoutKeysFromTheDatabase_RefusesToFallBackToEphemeralKeys()
    {
        using var ring = new KeyRing();

        var exception = Assert.Throws<InvalidOperationException>(() => new ConfigureServerKeys(ring).Configure(new OpenIddictServerOptions()));

        Assert.Contains("key ring", exception.Message, StringComparison.Ordinal);
    }
}
