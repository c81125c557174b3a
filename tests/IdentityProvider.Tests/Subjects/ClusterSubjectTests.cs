using OnePass.IdentityProvider.Tests.Keys;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Subjects;

/// <summary>The pairwise key lives in the database: every node and every restart computes the same sub (CONTRACT §3).</summary>
public sealed class ClusterSubjectTests : IDisposable
{
    private readonly OnePassHost _nodeA = new();
    private OnePassHost? _nodeB;

    public void Dispose()
    {
        _nodeB?.Dispose();
        _nodeA.Dispose();
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-37")]
    public async Task Sub_ForOneUserAndSector_IsTheSameOnAnotherNodeOfTheDatabase()
    {
        var fromA = await SignInFlow.TaxTokensAsync(_nodeA);
        _nodeB = new OnePassHost(new OnePassHostOptions { Settings = { ["ConnectionStrings:Database"] = _nodeA.DatabaseConnectionString } });

        var fromB = await SignInFlow.TaxTokensAsync(_nodeB);

        Assert.Equal(Tokens.Read(fromA["id_token"]!).Subject, Tokens.Read(fromB["id_token"]!).Subject);
    }
}
