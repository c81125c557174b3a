using System.Net;

namespace OnePass.AdminConsole.Tests.AdminApi;

/// <summary>What a page does when the admin API cannot serve it: sign in again, access denied, or a plain 503 page.</summary>
public sealed class ApiFailureTests : IClassFixture<ConsoleHost>
{
    private readonly ConsoleHost _host;

    public ApiFailureTests(ConsoleHost host)
    {
        _host = host;
        host.Tokens.SignInRequired = false;
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Page_SendsTheBearerTokenToTheApi()
    {
        _host.Api.OnJson(HttpMethod.Get, "/api/admin/scopes", Samples.Scopes);
        using var client = _host.Browser();

        using var response = await client.GetAsync("/scopes");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = _host.Api.Requests.Last(r => r.Uri.AbsolutePath == "/api/admin/scopes");
        Assert.Equal($"Bearer {TestTokens.AccessToken}", request.Authorization);
        Assert.Equal("onepass.test", request.Uri.Host);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Page_WhenTheTokenCannotBeRefreshed_ChallengesSignInAgain()
    {
        _host.Tokens.SignInRequired = true;
        using var client = _host.Browser();

        using var response = await client.GetAsync("/agencies?search=tax");

        _host.Tokens.SignInRequired = false;
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(ConsoleHost.ChallengeLocation, response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Contains(Uri.EscapeDataString("/agencies?search=tax"), response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Page_WhenTheApiAnswers401_ChallengesSignInAgain()
    {
        _host.Api.On(HttpMethod.Get, "/api/admin/agencies/expired", _ => new HttpResponseMessage(HttpStatusCode.Unauthorized));
        using var client = _host.Browser();

        using var response = await client.GetAsync("/agencies/details/expired");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(ConsoleHost.ChallengeLocation, response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Page_WhenTheApiAnswers403_ShowsAccessDenied()
    {
        _host.Api.OnJson(HttpMethod.Get, "/api/admin/agencies/forbidden", """{"error":"insufficient_scope"}""", HttpStatusCode.Forbidden);
        using var client = _host.Browser();

        using var response = await client.GetAsync("/agencies/details/forbidden");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/access-denied?reason=api-forbidden", response.Headers.Location!.OriginalString);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Page_WhenTheApiIsUnreachable_Answers503WithAPlainMessage()
    {
        _host.Api.On(HttpMethod.Get, "/api/admin/agencies/unreachable", _ => throw new HttpRequestException("Connection refused (onepass.test:443)"));
        using var client = _host.Browser();

        using var response = await client.GetAsync("/agencies/details/unreachable");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("OnePass is not answering", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Connection refused", html, StringComparison.Ordinal);
        Assert.DoesNotContain("HttpRequestException", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" at OnePass.", html, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Page_WhenTheRecordDoesNotExist_Answers404()
    {
        using var client = _host.Browser();

        using var response = await client.GetAsync("/agencies/details/no-such-agency");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task BackChannelLogout_WithoutALogoutToken_Answers400()
    {
        using var client = _host.Browser(role: null, acr: null);
        using var content = new FormUrlEncodedContent([]);

        using var response = await client.PostAsync("/backchannel-logout", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("logout_token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
