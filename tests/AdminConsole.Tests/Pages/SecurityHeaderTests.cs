using System.Net;

namespace OnePass.AdminConsole.Tests.Pages;

/// <summary>Every answer carries the headers that stop framing, sniffing, referrer leaks and inline script.</summary>
public sealed class SecurityHeaderTests : IClassFixture<ConsoleHost>
{
    private readonly ConsoleHost _host;

    public SecurityHeaderTests(ConsoleHost host)
    {
        _host = host;
        host.Api.OnJson(HttpMethod.Get, "/api/admin/agencies", Samples.AgencyPage(Samples.Agency()));
        host.Api.OnJson(HttpMethod.Get, "/api/admin/agencies/agency-tax", Samples.Agency());
        host.Api.OnJson(HttpMethod.Get, "/api/admin/scopes", Samples.Scopes);
    }

    [Theory]
    [InlineData("/agencies")]
    [InlineData("/agencies/details/agency-tax")]
    [InlineData("/agencies/create")]
    [InlineData("/scopes")]
    [InlineData("/access-denied")]
    [InlineData("/signed-out")]
    [InlineData("/error")]
    [InlineData("/no-such-page")]
    [InlineData("/health")]
    [InlineData("/css/site.css")]
    [Trait(Catalogue.Row, "AT-25")]
    [Trait(Catalogue.Row, "AT-24")]
    public async Task Response_OnEveryPath_ForbidsFramingAndInlineScript(string path)
    {
        using var client = _host.Browser();

        using var response = await client.GetAsync(path);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("form-action 'self' https://onepass.test", csp, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("base-uri 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-24")]
    public async Task Page_HasNoInlineScriptOrStyleAttribute()
    {
        using var client = _host.Browser();

        using var response = await client.GetAsync("/agencies/create");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await ConsoleHost.ParseAsync(response);
        Assert.All(document.QuerySelectorAll("script"), script => Assert.False(string.IsNullOrEmpty(script.GetAttribute("src"))));
        Assert.Empty(document.QuerySelectorAll("[style]"));
        Assert.Empty(document.QuerySelectorAll("style"));
    }
}
