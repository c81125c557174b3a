using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.CustomScopes;

/// <summary>
/// What a custom scope does for an agency (issue 5): granted, it releases exactly the claims it lists into
/// the ID token and the userinfo answer, as <c>profile</c> and <c>email</c> do; not granted, it releases
/// nothing; its description is shown on the consent page as text. The tax agency (explicit consent) is
/// given each test's scope through OpenIddict's application manager.
/// </summary>
public sealed class CustomScopeReleaseTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    private const string KimEmail = "c1@example.test";
    private const string KimName = "Kim Citizen";

    private static readonly Agency Tax = Agency.Tax;

    [Fact]
    public async Task IdToken_WithCustomScopeGranted_CarriesTheClaimsItLists()
    {
        var scope = await PermittedScopeAsync("email", "email_verified");

        var idToken = await IdTokenAsync(await Tax.TokensAsync(fixture.Host, TestSeed.Citizen, $"openid {scope}"));

        Assert.Equal(KimEmail, idToken.GetClaim("email").Value);
        Assert.True(idToken.GetPayloadValue<bool>("email_verified"));
        Assert.False(idToken.TryGetClaim("name", out _));
        Assert.False(idToken.TryGetClaim("preferred_username", out _));
    }

    [Fact]
    public async Task UserInfo_WithCustomScopeGranted_ReturnsTheClaimsItLists()
    {
        var scope = await PermittedScopeAsync("name", "preferred_username");
        var tokens = await Tax.TokensAsync(fixture.Host, TestSeed.Citizen, $"openid {scope}");

        var userInfo = await new TokenClient(fixture.Host.CreateProtocolClient()).UserInfoAsync(tokens["access_token"]!);

        Assert.Equal(HttpStatusCode.OK, userInfo.Status);
        Assert.Equal(KimName, userInfo["name"]);
        Assert.Equal(TestSeed.Citizen, userInfo["preferred_username"]);
        Assert.Null(userInfo["email"]);
        Assert.Null(userInfo["email_verified"]);
    }

    [Fact]
    public async Task CodeFlow_WithCustomScopeNotAsked_ReleasesNoneOfItsClaims()
    {
        var asked = await PermittedScopeAsync("name");
        var notAsked = await PermittedScopeAsync("email", "email_verified");
        var tokens = await Tax.TokensAsync(fixture.Host, TestSeed.Citizen, $"openid {asked}");

        var idToken = await IdTokenAsync(tokens);
        var userInfo = await new TokenClient(fixture.Host.CreateProtocolClient()).UserInfoAsync(tokens["access_token"]!);

        Assert.DoesNotContain(notAsked, tokens["scope"], StringComparison.Ordinal);
        Assert.Equal(KimName, idToken.GetClaim("name").Value);
        Assert.False(idToken.TryGetClaim("email", out _));
        Assert.False(idToken.TryGetClaim("email_verified", out _));
        Assert.Null(userInfo["email"]);
        Assert.Null(userInfo["email_verified"]);
    }

    [Fact]
    public async Task CodeFlow_WithOnlyOpenId_ReleasesNoPersonalClaims()
    {
        await PermittedScopeAsync("name", "preferred_username", "email", "email_verified");
        var tokens = await Tax.TokensAsync(fixture.Host, TestSeed.Citizen, "openid");

        var idToken = await IdTokenAsync(tokens);
        var userInfo = await new TokenClient(fixture.Host.CreateProtocolClient()).UserInfoAsync(tokens["access_token"]!);

        Assert.All(new[] { "name", "preferred_username", "email", "email_verified" }, claim =>
        {
            Assert.False(idToken.TryGetClaim(claim, out _), claim);
            Assert.Null(userInfo[claim]);
        });
    }

    [Fact]
    public async Task UserInfo_AfterTheScopeIsEdited_ReleasesWhatItListsNow()
    {
        // Every node reads the definition from the database: an edit applies to the next call.
        var scope = await PermittedScopeAsync("email");
        var tokens = await Tax.TokensAsync(fixture.Host, TestSeed.Citizen, $"openid {scope}");
        var version = await ScopeApi.VersionAsync(fixture, scope);
        var edited = await fixture.SendAsAdminAsync(HttpMethod.Put, $"{ScopeApi.Path}/{scope}", ScopeApi.Update(version, "See your name", "name"));
        Assert.Equal(HttpStatusCode.OK, edited.Status);

        var userInfo = await new TokenClient(fixture.Host.CreateProtocolClient()).UserInfoAsync(tokens["access_token"]!);

        Assert.Equal(KimName, userInfo["name"]);
        Assert.Null(userInfo["email"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-02")]
    [Trait(Catalogue.Row, "AT-24")]
    public async Task ConsentPage_WithCustomScope_ShowsItsDescriptionAsText()
    {
        const string description = "<script>alert(1)</script> See your \"tax\" reference & number";
        var scope = await DescribedScopeAsync(description, ["email"]);

        var page = await ConsentPageAsync($"openid profile {scope}");

        var items = page.Document.QuerySelectorAll("ul.scopes li").Select(item => item.TextContent.Trim()).ToList();
        Assert.Contains(description, items);
        Assert.Contains("See your name and username", items);
        Assert.DoesNotContain("<script>alert(1)</script>", page.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", page.Html, StringComparison.Ordinal);
    }

    /// <summary>Signs the citizen in with a fresh browser for the tax agency and stops at the consent page.</summary>
    private async Task<BrowserPage> ConsentPageAsync(string scope)
    {
        using var browser = fixture.Host.CreateBrowser();
        var page = await browser.NavigateAsync(new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Scope = scope }.ToUrl());
        Assert.True(page.IsLoginPage, $"{page.Uri} {page.Status}");
        page = await browser.SubmitAsync(page, new Dictionary<string, string> { ["username"] = TestSeed.Citizen, ["password"] = TestSeed.Password });
        Assert.True(page.IsConsentPage, $"{page.Uri} {page.Status}");
        return page;
    }

    /// <summary>A new custom scope releasing <paramref name="claims"/>, which the tax agency may ask for.</summary>
    private Task<string> PermittedScopeAsync(params string[] claims) => DescribedScopeAsync("See your tax reference", claims);

    private async Task<string> DescribedScopeAsync(string description, string[] claims)
    {
        var name = ScopeApi.UniqueName("tax");
        await ScopeApi.CreateAsync(fixture, name, description, claims);
        await ScopeApi.PermitAsync(fixture, TestSeed.TaxClient, name);
        return name;
    }

    private async Task<JsonWebToken> IdTokenAsync(ProtocolResponse tokens) =>
        await Tokens.ValidateIdTokenAsync(fixture.Host.CreateProtocolClient(), fixture.Host.Issuer, tokens["id_token"]!, TestSeed.TaxClient);
}
