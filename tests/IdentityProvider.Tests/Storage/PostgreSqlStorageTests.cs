using System.Net;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Storage;

/// <summary>
/// Refresh and health on real PostgreSQL; the code flow itself runs in <see cref="PostgreSqlCodeFlowTests"/>.
/// That the host starts at all proves the PostgreSQL migrations apply.
/// </summary>
public sealed class PostgreSqlStorageTests(PostgreSqlHostFixture fixture) : IClassFixture<PostgreSqlHostFixture>
{
    private readonly OnePassHost _host = fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "FT-01")]
    public async Task Ready_OnPostgreSql_Returns200()
    {
        var ready = await _host.CreateProtocolClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-10")]
    public async Task Refresh_OnPostgreSql_IssuesNewTokensForTheSameSubject()
    {
        var redeemed = await Agency.Tax.TokensAsync(_host);
        var tokens = new TokenClient(_host.CreateProtocolClient());

        var refreshed = await tokens.RefreshAsync(TestSeed.TaxClient, TestSeed.TaxSecret, redeemed["refresh_token"]!);

        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.NotNull(refreshed["refresh_token"]);
        Assert.NotEqual(redeemed["refresh_token"], refreshed["refresh_token"]);
        var idToken = await Tokens.ValidateIdTokenAsync(_host.CreateProtocolClient(), _host.Issuer, refreshed["id_token"]!, TestSeed.TaxClient);
        var userInfo = await tokens.UserInfoAsync(refreshed["access_token"]!);
        Assert.Equal(HttpStatusCode.OK, userInfo.Status);
        Assert.Equal(Tokens.Read(redeemed["id_token"]!).Subject, idToken.Subject);
        Assert.Equal(idToken.Subject, userInfo["sub"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-04")]
    public async Task Refresh_OnPostgreSql_ReplayedToken_IsRefusedAndRevokesItsSuccessor()
    {
        var redeemed = await Agency.Tax.TokensAsync(_host, scope: "openid offline_access");
        var tokens = new TokenClient(_host.CreateProtocolClient());
        var first = redeemed["refresh_token"]!;
        var second = await tokens.RefreshAsync(TestSeed.TaxClient, TestSeed.TaxSecret, first);
        Assert.Equal(HttpStatusCode.OK, second.Status);

        var replay = await tokens.RefreshAsync(TestSeed.TaxClient, TestSeed.TaxSecret, first);
        var successor = await tokens.RefreshAsync(TestSeed.TaxClient, TestSeed.TaxSecret, second["refresh_token"]!);

        Assert.Equal(HttpStatusCode.BadRequest, replay.Status);
        Assert.Equal("invalid_grant", replay.Error);
        Assert.Equal(HttpStatusCode.BadRequest, successor.Status);
        Assert.Equal("invalid_grant", successor.Error);
    }
}

/// <summary>The same code flow as on SQLite, on real PostgreSQL.</summary>
public sealed class PostgreSqlCodeFlowTests(PostgreSqlHostFixture fixture) : Flows.CodeFlowTests(fixture.Host), IClassFixture<PostgreSqlHostFixture>;
