using System.Net;
using OnePass.IdentityProvider.Features.Site;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Site;

/// <summary>The error page's labels come from the resource files in the citizen's language (issue 6 item 4).</summary>
public sealed class ErrorPageTextsTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private readonly OnePassHost _host = fixture.Host;

    [Theory]
    [InlineData("ko-KR,ko;q=0.9", "ko")]
    [InlineData("fr", "fr")]
    [InlineData("en-GB", "en")]
    public async Task ErrorPage_ForAMissingPage_LabelsInTheBrowsersLanguage(string acceptLanguage, string culture)
    {
        using var browser = _host.CreateBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/no-such-page");
        request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);

        var page = await browser.FollowAsync(await browser.SendAsync(request));

        Assert.Equal(HttpStatusCode.NotFound, page.Status);
        Assert.Equal(culture, page.Document.DocumentElement.GetAttribute("lang"));
        Assert.Equal(Texts.In(culture, "error.code"), page.Document.QuerySelector("#error-code-label")!.TextContent.Trim());
        Assert.Equal(Texts.In(culture, "error.reference"), page.Document.QuerySelector("#error-reference-label")!.TextContent.Trim());
        Assert.Equal("not_found", page.Document.QuerySelector("#error-code")!.TextContent.Trim());
        Assert.Equal(Texts.In(culture, "error.status.404"), page.Document.QuerySelector("#error-description")!.TextContent.Trim());
        Assert.False(string.IsNullOrWhiteSpace(page.Document.QuerySelector("#error-reference")!.TextContent));
    }
}
