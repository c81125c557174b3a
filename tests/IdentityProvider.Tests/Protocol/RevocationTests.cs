using System.Net;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Protocol;

public sealed class RevocationTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private readonly OnePassHost _host = fixture.Host;

    [Theory]
    [Trait(Catalogue.Row, "IN-RV-01")]
    [InlineData("unknown-token")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")]
    public async Task Revoke_UnknownToken_Returns200(string token)
    {
        var before = await _host.CountRowsAsync();

        var response = await new TokenClient(_host.CreateProtocolClient()).RevokeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, token);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(before, await _host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-RV-01")]
    public async Task Revoke_AlreadyRevokedToken_Returns200()
    {
        var tokens = await Agency.Tax.TokensAsync(_host);
        var client = new TokenClient(_host.CreateProtocolClient());
        await client.RevokeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, tokens["refresh_token"]!);

        var again = await client.RevokeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, tokens["refresh_token"]!);

        Assert.Equal(HttpStatusCode.OK, again.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-RV-01")]
    public async Task Revoke_OwnRefreshToken_MakesItUnusable()
    {
        var tokens = await Agency.Tax.TokensAsync(_host);
        var client = new TokenClient(_host.CreateProtocolClient());

        var revoked = await client.RevokeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, tokens["refresh_token"]!);
        var refresh = await Agency.Tax.RefreshAsync(_host, tokens["refresh_token"]!);

        Assert.Equal(HttpStatusCode.OK, revoked.Status);
        Assert.Equal("invalid_grant", refresh.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-RV-01")]
    public async Task Revoke_AnotherClientsTokens_ChangesNothingForThatClient()
    {
        var tax = await Agency.Tax.TokensAsync(_host);
        var client = new TokenClient(_host.CreateProtocolClient());

        var accessRevocation = await client.RevokeAsync(TestSeed.HealthClient, TestSeed.HealthSecret, tax["access_token"]!);
        var refreshRevocation = await client.RevokeAsync(TestSeed.HealthClient, TestSeed.HealthSecret, tax["refresh_token"]!);

        Assert.True(accessRevocation.Status == HttpStatusCode.OK, accessRevocation.Body);
        Assert.True(refreshRevocation.Status == HttpStatusCode.OK, refreshRevocation.Body);
        Assert.Equal(HttpStatusCode.OK, (await client.UserInfoAsync(tax["access_token"]!)).Status);
        Assert.Equal("true", (await client.IntrospectAsync(TestSeed.TaxClient, TestSeed.TaxSecret, tax["access_token"]!))["active"]);
        Assert.Equal(HttpStatusCode.OK, (await Agency.Tax.RefreshAsync(_host, tax["refresh_token"]!)).Status);
    }
}
