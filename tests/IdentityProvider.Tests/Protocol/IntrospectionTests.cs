using System.Net;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Protocol;

public sealed class IntrospectionTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private readonly OnePassHost _host = fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "IN-IS-01")]
    public async Task Introspect_OwnAccessToken_IsActiveWithThePairwiseSubjectTheClientSaw()
    {
        var tokens = await Agency.Tax.TokensAsync(_host);

        var response = await new TokenClient(_host.CreateProtocolClient()).IntrospectAsync(TestSeed.TaxClient, TestSeed.TaxSecret, tokens["access_token"]!);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("true", response["active"]);
        Assert.Equal(Tokens.Read(tokens["id_token"]!).Subject, response["sub"]);
        Assert.Equal(TestSeed.TaxClient, response["client_id"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-IS-01")]
    public async Task Introspect_OwnRefreshToken_IsActive()
    {
        var tokens = await Agency.Tax.TokensAsync(_host);

        var response = await new TokenClient(_host.CreateProtocolClient()).IntrospectAsync(TestSeed.TaxClient, TestSeed.TaxSecret, tokens["refresh_token"]!);

        Assert.Equal("true", response["active"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-IS-01")]
    public async Task Introspect_WithoutClientAuthentication_IsRefused()
    {
        var tokens = await Agency.Tax.TokensAsync(_host);
        using var content = new FormUrlEncodedContent([new("token", tokens["access_token"]!)]);

        var response = await ProtocolResponse.ReadAsync(await _host.CreateProtocolClient().PostAsync("/connect/introspect", content));

        Assert.Contains(response.Status, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized });
        Assert.NotNull(response.Error);
        Assert.Null(response["sub"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-IS-01")]
    public async Task Introspect_WithWrongClientSecret_Returns401InvalidClient()
    {
        var tokens = await Agency.Tax.TokensAsync(_host);

        var response = await new TokenClient(_host.CreateProtocolClient()).IntrospectAsync(TestSeed.TaxClient, "wrong-secret", tokens["access_token"]!);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("invalid_client", response.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-IS-01")]
    public async Task Introspect_PublicClient_IsRefused()
    {
        var tokens = await Agency.CitizenApp.TokensAsync(_host);

        var response = await new TokenClient(_host.CreateProtocolClient()).IntrospectAsync(TestSeed.PublicClient, null, tokens["access_token"]!);

        Assert.True(response.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, response.Body);
        Assert.Null(response["sub"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-IS-01")]
    public async Task Introspect_AnotherClientsToken_IsInactive()
    {
        var tokens = await Agency.Tax.TokensAsync(_host);

        var response = await new TokenClient(_host.CreateProtocolClient()).IntrospectAsync(TestSeed.HealthClient, TestSeed.HealthSecret, tokens["access_token"]!);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(response["active"] == "false", response.Body);
        Assert.Null(response["sub"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-IS-01")]
    public async Task Introspect_AfterTheAuthorizationWasRevoked_IsInactive()
    {
        // GHSA-cxgj-hwwh-855g: a token whose authorization is revoked must not introspect as active.
        var tokens = await Agency.Health.TokensAsync(_host, TestSeed.OtherCitizen);
        await UserInfoTests.RevokeAuthorizationsAsync(_host, TestSeed.OtherCitizen, TestSeed.HealthClient);

        var response = await new TokenClient(_host.CreateProtocolClient()).IntrospectAsync(TestSeed.HealthClient, TestSeed.HealthSecret, tokens["access_token"]!);

        Assert.Equal("false", response["active"]);
    }
}
