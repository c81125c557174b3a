using System.Net;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Keys;

/// <summary>
/// Two nodes on one database form a cluster (CONTRACT §2): the same keys, so a token issued by one
/// node is accepted by the other (CATALOGUE FT-10: no per-process ephemeral keys).
/// </summary>
public sealed class ClusterKeysTests : IDisposable
{
    private readonly OnePassHost _nodeA = new();
    private readonly OnePassHost _nodeB;

    public ClusterKeysTests()
    {
        _nodeA.EnsureStarted(); // migrations and first keys come from node A
        _nodeB = new OnePassHost(new OnePassHostOptions
        {
            Settings = { ["ConnectionStrings:Database"] = _nodeA.DatabaseConnectionString },
        });
        _nodeB.EnsureStarted();
    }

    public void Dispose()
    {
        _nodeB.Dispose();
        _nodeA.Dispose();
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-10")]
    public async Task Jwks_OnTwoNodesOfOneDatabase_IsTheSame()
    {
        using var a = _nodeA.CreateProtocolClient();
        using var b = _nodeB.CreateProtocolClient();

        var jwksA = await a.GetStringAsync("/.well-known/jwks");
        var jwksB = await b.GetStringAsync("/.well-known/jwks");

        Assert.Equal(jwksA, jwksB);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-10")]
    public async Task UserInfo_OnNodeB_AcceptsAccessTokenFromNodeA()
    {
        var tokens = await SignInFlow.TaxTokensAsync(_nodeA);
        var idToken = Tokens.Read(tokens["id_token"]!);

        var userInfo = await new TokenClient(_nodeB.CreateProtocolClient()).UserInfoAsync(tokens["access_token"]!);

        Assert.Equal(HttpStatusCode.OK, userInfo.Status);
        Assert.Equal(idToken.Subject, userInfo["sub"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-10")]
    public async Task IdToken_FromNodeA_ValidatesAgainstNodeBJwks()
    {
        var tokens = await SignInFlow.TaxTokensAsync(_nodeA);

        var idToken = await Tokens.ValidateIdTokenAsync(_nodeB.CreateProtocolClient(), _nodeB.Issuer, tokens["id_token"]!, TestSeed.TaxClient);

        Assert.False(string.IsNullOrEmpty(idToken.Subject));
    }
}
