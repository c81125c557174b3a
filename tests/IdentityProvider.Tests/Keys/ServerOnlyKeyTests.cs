using System.Net;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Keys;

/// <summary>
/// Tokens only OnePass reads are signed and wrapped with the server-only symmetric key derived from the current key
/// (issue 7: no RSA operation for them); ID tokens, which agencies verify, keep the published asymmetric key.
/// </summary>
public sealed class ServerOnlyKeyTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private readonly OnePassHost _host = fixture.Host;

    [Fact]
    public async Task CodeFlow_AccessAndRefreshTokens_AreWrappedWithTheServerOnlyKey()
    {
        var tokens = await Agency.Tax.TokensAsync(_host);

        foreach (var name in new[] { "access_token", "refresh_token" })
        {
            var token = Tokens.Read(tokens[name]!);
            Assert.True(token.IsEncrypted, name);
            Assert.Equal("A256KW", token.Alg);
            Assert.Equal("A256CBC-HS512", token.Enc);
            Assert.EndsWith("-server", token.Kid, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CodeFlow_IdToken_IsSignedWithThePublishedAsymmetricKey()
    {
        var tokens = await Agency.Tax.TokensAsync(_host);

        var idToken = Tokens.Read(tokens["id_token"]!);
        Assert.False(idToken.IsEncrypted);
        Assert.Equal("RS256", idToken.Alg);
        Assert.Contains(idToken.Kid, await SignInFlow.JwksKeyIdsAsync(_host));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-DS-03")]
    public async Task Jwks_Always_LeavesTheServerOnlyKeysOut()
    {
        var keys = await SignInFlow.JwksKeysAsync(_host);

        Assert.All(keys, key => Assert.NotEqual("oct", key.GetProperty("kty").GetString()));
        Assert.All(keys, key => Assert.DoesNotContain("-server", key.GetProperty("kid").GetString()!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RefreshAndIntrospection_ServerOnlyTokens_AreReadBack()
    {
        var tokens = await Agency.Tax.TokensAsync(_host);
        var client = new TokenClient(_host.CreateProtocolClient());

        var refreshed = await client.RefreshAsync(TestSeed.TaxClient, TestSeed.TaxSecret, tokens["refresh_token"]!);
        var introspected = await client.IntrospectAsync(TestSeed.TaxClient, TestSeed.TaxSecret, refreshed["access_token"]!);

        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.True(introspected.Json.GetProperty("active").GetBoolean(), introspected.Body);
    }
}
