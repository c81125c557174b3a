using System.Net;

namespace OnePass.AdminConsole.Tests.Pages;

/// <summary>Who may see the console's pages: administrators signed in with two factors, nobody else.</summary>
public sealed class PageAccessTests : IClassFixture<ConsoleHost>
{
    private readonly ConsoleHost _host;

    public PageAccessTests(ConsoleHost host)
    {
        _host = host;
        host.Api.OnJson(HttpMethod.Get, "/api/admin/agencies", Samples.AgencyPage(Samples.Agency()));
        host.Api.OnJson(HttpMethod.Get, "/api/admin/agencies/agency-tax", Samples.Agency());
        host.Api.OnJson(HttpMethod.Get, "/api/admin/scopes", Samples.Scopes);
        host.Api.OnJson(HttpMethod.Get, "/api/admin/scopes/tax.read", Samples.CustomScope);
    }

    public static TheoryData<string> ConsolePages =>
    [
        "/agencies", "/agencies?search=tax&status=enabled&p=1", "/agencies/create", "/agencies/details/agency-tax",
        "/agencies/edit/agency-tax", "/agencies/delete/agency-tax", "/agencies/logo/agency-tax",
        "/scopes", "/scopes/create", "/scopes/edit/tax.read", "/scopes/delete/tax.read",
    ];

    [Theory]
    [MemberData(nameof(ConsolePages))]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Page_ForAnAdministratorAtLoa2_Renders(string path)
    {
        using var client = _host.Browser();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await ConsoleHost.ParseAsync(response);
        Assert.Equal("en", document.DocumentElement.GetAttribute("lang"));
        Assert.NotNull(document.QuerySelector("main#main"));
        Assert.NotNull(document.QuerySelector("a.skip-link[href='#main']"));
        Assert.Contains("Ada Admin", document.QuerySelector("header")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(document.QuerySelector("header form[method=post][action='/signout'] button"));
        Assert.Equal(["Dashboard", "Agencies", "Scopes", "Users", "Audit"], document.QuerySelectorAll("nav a").Select(a => a.TextContent.Trim()));
    }

    [Theory]
    [InlineData("/agencies")]
    [InlineData("/scopes/create")]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Page_ForAUserWithoutTheAdminRole_ShowsAccessDeniedSayingWhy(string path)
    {
        using var client = _host.Browser(role: null);

        using var response = await client.GetAsync(path);
        using var denied = await client.GetAsync(response.Headers.Location);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/access-denied", new Uri(new Uri("http://localhost"), response.Headers.Location!).AbsolutePath);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        var document = await ConsoleHost.ParseAsync(denied);
        Assert.Contains("does not have the administrator role", document.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(document.QuerySelector("main form[action='/signout'] button"));
        Assert.Empty(document.QuerySelectorAll("nav a"));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Page_ForAnAdministratorAtLoa1_ShowsAccessDeniedAskingForTwoFactors()
    {
        using var client = _host.Browser(acr: "urn:onepass:loa:1");

        using var response = await client.GetAsync("/agencies");
        using var denied = await client.GetAsync(response.Headers.Location);

        Assert.Equal("/access-denied", new Uri(new Uri("http://localhost"), response.Headers.Location!).AbsolutePath);
        var document = await ConsoleHost.ParseAsync(denied);
        Assert.Contains("two factors", document.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Page_ForAnAnonymousVisitor_ChallengesSignInAtOnePass()
    {
        using var client = _host.Browser(role: null, acr: null);
        client.DefaultRequestHeaders.Remove("X-Test-Role");
        client.DefaultRequestHeaders.Remove("X-Test-Acr");

        using var response = await client.GetAsync("/agencies");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(ConsoleHost.ChallengeLocation, response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/signed-out")]
    [InlineData("/access-denied")]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task PublicPage_ForAnAnonymousVisitor_IsServed(string path)
    {
        using var client = _host.Browser(role: null, acr: null);
        client.DefaultRequestHeaders.Remove("X-Test-Role");
        client.DefaultRequestHeaders.Remove("X-Test-Acr");

        using var response = await client.GetAsync(path);

        Assert.NotEqual(HttpStatusCode.Redirect, response.StatusCode);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Forbidden, $"{path}: {response.StatusCode}");
    }
}
