using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Tests.Keys;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Subjects;

/// <summary>
/// Pairwise subjects (OpenID Connect Core §8.1; CONTRACT §3; CATALOGUE AT-37): one <c>sub</c> per user and
/// sector, different across sectors so agencies cannot correlate a citizen, and the same everywhere the
/// agency meets it (ID token, userinfo, introspection).
/// </summary>
public sealed class PairwiseSubjectTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private readonly OnePassHost _host = fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "AT-37")]
    public async Task Sub_ForTwoAgenciesInDifferentSectors_Differs()
    {
        using var browser = _host.CreateBrowser();

        var tax = await SignInFlow.TokensAsync(_host, browser, TestSeed.TaxClient, TestSeed.TaxSecret, TestSeed.TaxRedirect);
        var health = await SignInFlow.TokensAsync(_host, browser, TestSeed.HealthClient, TestSeed.HealthSecret, TestSeed.HealthRedirect);

        Assert.NotEqual(Tokens.Read(tax["id_token"]!).Subject, Tokens.Read(health["id_token"]!).Subject);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-37")]
    public async Task Sub_ForOneAgencyAcrossSignIns_IsStable()
    {
        var first = await SignInFlow.TaxTokensAsync(_host);
        var second = await SignInFlow.TaxTokensAsync(_host);

        Assert.Equal(Tokens.Read(first["id_token"]!).Subject, Tokens.Read(second["id_token"]!).Subject);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-37")]
    public async Task Sub_ForPairwiseAgency_IsNotTheUserId()
    {
        var tokens = await SignInFlow.TaxTokensAsync(_host);

        Assert.NotEqual((await CitizenIdAsync()).ToString(), Tokens.Read(tokens["id_token"]!).Subject);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-37")]
    public async Task Sub_ForPublicSubjectAgency_IsTheUserId()
    {
        using var browser = _host.CreateBrowser();

        var tokens = await SignInFlow.TokensAsync(_host, browser, TestSeed.LegacyClient, TestSeed.LegacySecret, TestSeed.LegacyRedirect);

        Assert.Equal((await CitizenIdAsync()).ToString(), Tokens.Read(tokens["id_token"]!).Subject);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-37")]
    public async Task UserInfo_ForPairwiseAgency_ReturnsTheIdTokenSub()
    {
        var tokens = await SignInFlow.TaxTokensAsync(_host);

        var userInfo = await new TokenClient(_host.CreateProtocolClient()).UserInfoAsync(tokens["access_token"]!);

        Assert.Equal(HttpStatusCode.OK, userInfo.Status);
        Assert.Equal(Tokens.Read(tokens["id_token"]!).Subject, userInfo["sub"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-37")]
    public async Task Introspection_ForPairwiseAgency_ReturnsTheIdTokenSub()
    {
        var tokens = await SignInFlow.TaxTokensAsync(_host);

        var introspection = await new TokenClient(_host.CreateProtocolClient())
            .IntrospectAsync(TestSeed.TaxClient, TestSeed.TaxSecret, tokens["access_token"]!);

        Assert.Equal(HttpStatusCode.OK, introspection.Status);
        Assert.Equal("true", introspection["active"]);
        Assert.Equal(Tokens.Read(tokens["id_token"]!).Subject, introspection["sub"]);
    }

    private async Task<Guid> CitizenIdAsync()
    {
        Guid id = default;
        await _host.WithServicesAsync(async services =>
            id = (await services.GetRequiredService<UserManager<OnePassUser>>().FindByNameAsync(TestSeed.Citizen))!.Id);
        return id;
    }
}
