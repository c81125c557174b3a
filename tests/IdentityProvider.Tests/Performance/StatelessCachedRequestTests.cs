using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Performance;

/// <summary>
/// A cached authorization request travels in its <c>request_uri</c>, signed and encrypted, instead of as a token row
/// (issue 7); large requests keep the row.
/// </summary>
public sealed class StatelessCachedRequestTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private const string RequestUriPrefix = "urn:ietf:params:oauth:request_uri:";
    private const string TokenTable = "OpenIddictTokens";
    private readonly OnePassHost _host = fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "AT-15")]
    public async Task Authorize_FirstRequest_RedirectsWithASealedRequestAndStoresNoRow()
    {
        using var browser = _host.CreateBrowser();
        var before = await _host.CountRowsAsync();

        var requestUri = await CachedRequestUriAsync(browser, new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect));

        Assert.Equal(5, requestUri[RequestUriPrefix.Length..].Split('.').Length); // a compact JWE
        Assert.Equal(before[TokenTable], (await _host.CountRowsAsync())[TokenTable]);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-15")]
    public async Task Authorize_WithSealedRequest_SignsInAndIssuesARedeemableCode()
    {
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect);
        using var browser = _host.CreateBrowser();

        var response = await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password));
        var tokens = await new TokenClient(_host.CreateProtocolClient())
            .RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, response.Code!, request.CodeVerifier, TestSeed.TaxRedirect);

        Assert.Equal(request.State, response.Parameters["state"]);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        Assert.Equal(request.Nonce, Tokens.Read(tokens["id_token"]!).GetClaim("nonce").Value);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-15")]
    public async Task Authorize_WithAlteredSealedRequest_IsRefusedWithoutServerError()
    {
        using var browser = _host.CreateBrowser();
        var requestUri = await CachedRequestUriAsync(browser, new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect));
        var last = requestUri[^2];
        var altered = requestUri[..^2] + (last == 'A' ? 'B' : 'A') + requestUri[^1];

        var response = await browser.GetAsync(QueryHelpers.AddQueryString("/connect/authorize",
            new Dictionary<string, string?> { ["client_id"] = TestSeed.TaxClient, ["request_uri"] = altered }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode); // OpenIddict's invalid_request, as an error page
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Authorize_WithLargeRequest_KeepsTheStoredReference()
    {
        using var browser = _host.CreateBrowser();
        var before = await _host.CountRowsAsync();
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect)
        {
            State = new string('s', OpenIddict.Handlers.StatelessCachedRequests.MaxParametersLength),
        };

        var requestUri = await CachedRequestUriAsync(browser, request);

        Assert.DoesNotContain('.', requestUri[RequestUriPrefix.Length..]);
        Assert.Equal(before[TokenTable] + 1, (await _host.CountRowsAsync())[TokenTable]);
    }

    // The first answer of the authorization endpoint: a redirect to itself with only client_id and request_uri.
    private static async Task<string> CachedRequestUriAsync(BrowserClient browser, AuthorizationRequest request)
    {
        using var response = await browser.GetAsync(request.ToUrl());
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var query = QueryHelpers.ParseQuery(response.Headers.Location!.Query);
        var requestUri = query["request_uri"].ToString();
        Assert.StartsWith(RequestUriPrefix, requestUri, StringComparison.Ordinal);
        return requestUri;
    }
}
