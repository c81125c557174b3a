using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Protocol;

/// <summary>The authorization endpoint with bad, odd and hostile requests (CATALOGUE IN-AZ-*, AT-11, AT-12).</summary>
public sealed class AuthorizationEndpointTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private static readonly (string, string) Citizen = (TestSeed.Citizen, TestSeed.Password);
    private readonly OnePassHost _host = fixture.Host;

    private static AuthorizationRequest Tax() => new(TestSeed.TaxClient, TestSeed.TaxRedirect);

    private static AuthorizationRequest Health() => new(TestSeed.HealthClient, TestSeed.HealthRedirect);

    private async Task<BrowserPage> StartAsync(AuthorizationRequest request)
    {
        using var browser = _host.CreateBrowser();
        return await browser.NavigateAsync(request.ToUrl());
    }

    private static void AssertErrorPage(BrowserPage page)
    {
        Assert.False(page.StoppedAtRedirect, $"Redirected to {page.Uri}");
        Assert.Null(page.Response.Headers.Location);
        Assert.InRange((int)page.Status, 400, 499);
        Assert.NotNull(page.Document.QuerySelector("#error-code"));
    }

    private static Dictionary<string, string> AssertRedirectedError(BrowserPage page, string redirectUri, string error)
    {
        Assert.True(page.StoppedAtRedirect, $"No redirect: {(int)page.Status} {page.Document.QuerySelector("#error-description")?.TextContent}");
        Assert.StartsWith(redirectUri + "?", page.Uri.ToString(), StringComparison.Ordinal);
        var parameters = page.RedirectParameters();
        Assert.Equal(error, parameters.GetValueOrDefault("error"));
        Assert.DoesNotContain("code", parameters.Keys);
        return parameters;
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AZ-01")]
    [InlineData(null)]
    [InlineData("no-such-agency")]
    [InlineData(TestSeed.MachineClient)] // registered, but without the code flow or any redirect URI
    public async Task Authorize_WithMissingUnknownOrUnusableClient_ShowsErrorPageWithoutRedirect(string? clientId)
    {
        var page = await StartAsync(Tax() with { ClientId = clientId! });

        AssertErrorPage(page);
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AZ-02")]
    [InlineData(TestSeed.TaxRedirect + "/extra")]
    [InlineData(TestSeed.TaxRedirect + "/")]
    [InlineData(TestSeed.TaxRedirect + "?foo=bar")]
    [InlineData(TestSeed.TaxRedirect + "#frag")]
    [InlineData("http://127.0.0.1:7999/signin-oidc")]
    [InlineData("https://127.0.0.1:7001/signin-oidc")]
    [InlineData("http://LOCALHOST:7002/signin-oidc")]
    [InlineData("http://127.0.0.1:7001@evil.example/signin-oidc")]
    [InlineData("http://127.0.0.1.evil.example:7001/signin-oidc")]
    [InlineData("http://127.0.0.1:7001/%2e%2e/signin-oidc")]
    [InlineData("http://127.0.0.1:7001/signin%252Doidc")]
    [InlineData("http://127.0.0.1:7001\\signin-oidc")]
    [InlineData("http://127.0.0.1:7001/s\u0456gnin-oidc")] // Cyrillic і
    [InlineData("javascript:alert(1)")]
    public async Task Authorize_WithVariantOfRegisteredRedirectUri_ShowsErrorPageWithoutRedirect(string redirectUri)
    {
        var request = redirectUri.Contains("LOCALHOST", StringComparison.Ordinal) ? Health() with { RedirectUri = redirectUri } : Tax() with { RedirectUri = redirectUri };

        var page = await StartAsync(request);

        AssertErrorPage(page);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-03")]
    public async Task Authorize_WithoutRedirectUri_ForClientWithTwoUris_ShowsErrorPage()
    {
        var page = await StartAsync(Tax() with { RedirectUri = null });

        AssertErrorPage(page);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-04")]
    public async Task Authorize_WithoutResponseType_RedirectsInvalidRequest()
    {
        var page = await StartAsync(Tax() with { ResponseType = null });

        AssertRedirectedError(page, TestSeed.TaxRedirect, "invalid_request");
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AZ-05")]
    [InlineData("token")]
    [InlineData("id_token")]
    [InlineData("id_token token")]
    [InlineData("code token")]
    [InlineData("code id_token")]
    [InlineData("none")]
    public async Task Authorize_WithResponseTypeOtherThanCode_RedirectsUnsupportedResponseTypeWithoutTokens(string responseType)
    {
        var page = await StartAsync(Tax() with { ResponseType = responseType });

        Assert.True(page.StoppedAtRedirect);
        Assert.StartsWith(TestSeed.TaxRedirect, page.Uri.ToString(), StringComparison.Ordinal);
        var parameters = QueryHelpers.ParseQuery(page.Uri.Query.TrimStart('?') + "&" + page.Uri.Fragment.TrimStart('#'));
        Assert.Equal("unsupported_response_type", parameters["error"].ToString());
        Assert.DoesNotContain(parameters.Keys, key => key is "access_token" or "id_token" or "code");
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AZ-06")]
    [InlineData(TestSeed.TaxClient, TestSeed.TaxRedirect, "profile email")]
    [InlineData(TestSeed.TaxClient, TestSeed.TaxRedirect, "openid unknown-scope")]
    [InlineData(TestSeed.PublicClient, TestSeed.PublicRedirect, "openid email")] // email is not assigned to this client
    public async Task Authorize_WithScopeMissingOpenIdUnknownOrNotAssigned_RedirectsInvalidScope(string clientId, string redirectUri, string scope)
    {
        var page = await StartAsync(new AuthorizationRequest(clientId, redirectUri) { Scope = scope });

        AssertRedirectedError(page, redirectUri, "invalid_scope");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-08")]
    public async Task Authorize_WithUnknownParameter_IgnoresItAndIssuesCode()
    {
        using var browser = _host.CreateBrowser();
        var request = Health() with { Extra = new() { ["extra"] = "foobar" } };

        var response = await browser.AuthorizeAsync(request, Citizen);

        Assert.NotNull(response.Code);
        Assert.DoesNotContain("extra", response.Parameters.Keys);
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AZ-09")]
    [Trait(Catalogue.Row, "AT-09")]
    [InlineData(TestSeed.TaxClient, TestSeed.TaxRedirect)]
    [InlineData(TestSeed.PublicClient, TestSeed.PublicRedirect)]
    public async Task Authorize_WithoutCodeChallenge_RedirectsInvalidRequest(string clientId, string redirectUri)
    {
        var page = await StartAsync(new AuthorizationRequest(clientId, redirectUri) { CodeChallenge = null, CodeChallengeMethod = null, Scope = "openid" });

        AssertRedirectedError(page, redirectUri, "invalid_request");
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AZ-10")]
    [InlineData("plain")]
    [InlineData(null)]
    [InlineData("S512")]
    public async Task Authorize_WithPlainOrMissingChallengeMethod_RedirectsInvalidRequest(string? method)
    {
        var page = await StartAsync(Tax() with { CodeChallengeMethod = method });

        AssertRedirectedError(page, TestSeed.TaxRedirect, "invalid_request");
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AZ-11")]
    [InlineData("abc")]
    [InlineData("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 44 characters
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")] // padded
    public async Task Authorize_WithMalformedS256Challenge_RedirectsInvalidRequest(string challenge)
    {
        var page = await StartAsync(Tax() with { CodeChallenge = challenge });

        AssertRedirectedError(page, TestSeed.TaxRedirect, "invalid_request");
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AZ-12")]
    [InlineData(64)]
    [InlineData(2048)]
    public async Task Authorize_WithLongStateAndNonce_EchoesThemByteForByte(int length)
    {
        using var browser = _host.CreateBrowser();
        var state = string.Concat(Enumerable.Repeat("aZ09-._~", (length / 8) + 1))[..length];
        var nonce = new string('n', length - 3) + "-_~";
        var request = Health() with { State = state, Nonce = nonce };

        var response = await browser.AuthorizeAsync(request, Citizen);
        var tokens = await new TokenClient(_host.CreateProtocolClient())
            .RedeemCodeAsync(TestSeed.HealthClient, TestSeed.HealthSecret, response.Code!, request.CodeVerifier, TestSeed.HealthRedirect);

        Assert.Equal(state, response.Parameters["state"]);
        Assert.Equal(nonce, Tokens.Read(tokens["id_token"]!).GetClaim("nonce").Value);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-12")]
    public async Task Authorize_WithUrlAbove8KiB_AnswersUriTooLong()
    {
        // The documented limit is Kestrel's request line (8 KiB); state and nonce up to 2 KiB are safe.
        using var host = new OnePassHost(new OnePassHostOptions { RealSocket = true });
        using var browser = host.CreateBrowser();
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { State = new string('s', 16 * 1024) };

        var response = await browser.GetAsync(request.ToUrl());

        Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-13")]
    public async Task Authorize_WithPromptNone_AndNoSession_RedirectsLoginRequired()
    {
        var page = await StartAsync(Tax() with { Extra = new() { ["prompt"] = "none" } });

        var parameters = AssertRedirectedError(page, TestSeed.TaxRedirect, "login_required");
        Assert.Equal(_host.Issuer.ToString(), parameters["iss"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-14")]
    public async Task Authorize_WithPromptNoneAndLogin_RedirectsInvalidRequest()
    {
        var page = await StartAsync(Tax() with { Extra = new() { ["prompt"] = "none login" } });

        AssertRedirectedError(page, TestSeed.TaxRedirect, "invalid_request");
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-12")]
    public async Task Authorize_WithUnregisteredRedirectUri_AndBadScope_ShowsErrorPage()
    {
        var page = await StartAsync(Tax() with { RedirectUri = "https://evil.example/cb", Scope = "bogus" });

        AssertErrorPage(page);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-12")]
    public async Task Authorize_WithUnregisteredRedirectUri_AndPromptNone_ShowsErrorPage()
    {
        var page = await StartAsync(Tax() with { RedirectUri = "https://evil.example/cb", Extra = new() { ["prompt"] = "none" } });

        AssertErrorPage(page);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-11")]
    public async Task Authorize_Success_CarriesIssuerEqualToDiscovery()
    {
        using var browser = _host.CreateBrowser();

        var response = await browser.AuthorizeAsync(Health(), Citizen);

        Assert.NotNull(response.Code);
        Assert.Equal(_host.Issuer.ToString(), response.Parameters["iss"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-11")]
    public async Task Authorize_Error_CarriesIssuerAndState()
    {
        var request = Tax() with { Scope = "openid unknown-scope" };

        var page = await StartAsync(request);

        var parameters = AssertRedirectedError(page, TestSeed.TaxRedirect, "invalid_scope");
        Assert.Equal(_host.Issuer.ToString(), parameters["iss"]);
        Assert.Equal(request.State, parameters["state"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-16")]
    public async Task Authorize_WithPromptConsent_ForImplicitConsentClient_ShowsConsent()
    {
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync(TestSeed.Citizen);

        var page = await browser.NavigateAsync((Health() with { Extra = new() { ["prompt"] = "consent" } }).ToUrl());

        Assert.True(page.IsConsentPage, page.Uri.ToString());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-16")]
    public async Task Authorize_WithPromptSelectAccount_CompletesNormally()
    {
        using var browser = _host.CreateBrowser();

        var response = await browser.AuthorizeAsync(Health() with { Extra = new() { ["prompt"] = "select_account" } }, Citizen);

        Assert.NotNull(response.Code);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-17")]
    public async Task Authorize_WithRequestObject_RedirectsRequestNotSupported()
    {
        var page = await StartAsync(Tax() with { Extra = new() { ["request"] = "eyJhbGciOiJub25lIn0.eyJzY29wZSI6Im9wZW5pZCJ9." } });

        AssertRedirectedError(page, TestSeed.TaxRedirect, "request_not_supported");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-17")]
    public async Task Authorize_WithRemoteRequestUri_RedirectsNotSupported_AndNeverFetchesIt()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var uri = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/request.jwt";

            var page = await StartAsync(Tax() with { Extra = new() { ["request_uri"] = uri } });

            AssertRedirectedError(page, TestSeed.TaxRedirect, "request_uri_not_supported");
            Assert.False(listener.Pending());
        }
        finally
        {
            listener.Stop();
        }
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AZ-18")]
    [InlineData("garbage")]
    [InlineData("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJpc3MiOiJodHRwOi8vbG9jYWxob3N0LyIsInN1YiI6ImF0dGFja2VyIiwiYXVkIjoiYWdlbmN5LXRheCJ9.")]
    public async Task Authorize_WithForgedIdTokenHint_AndPromptNone_RedirectsLoginRequiredOrRejects(string hint)
    {
        var page = await StartAsync(Tax() with { Extra = new() { ["prompt"] = "none", ["id_token_hint"] = hint } });

        Assert.True(page.StoppedAtRedirect);
        var error = page.RedirectParameters().GetValueOrDefault("error");
        Assert.Contains(error, new[] { "login_required", "invalid_request" });
        Assert.DoesNotContain("code", page.RedirectParameters().Keys);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-18")]
    public async Task Authorize_WithValidIdTokenHint_AndPromptNone_InFreshBrowser_NeverSignsIn()
    {
        var hint = await IdTokenForAsync(TestSeed.Citizen);
        var page = await StartAsync(Tax() with { Extra = new() { ["prompt"] = "none", ["id_token_hint"] = hint } });

        AssertRedirectedError(page, TestSeed.TaxRedirect, "login_required");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-18")]
    public async Task Authorize_WithIdTokenHintOfOtherUser_NeverIssuesCodeForThatUser()
    {
        var otherHint = await IdTokenForAsync(TestSeed.OtherCitizen);
        var otherSub = Tokens.Read(otherHint).Subject;
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync(TestSeed.Citizen);
        var request = Health() with { Extra = new() { ["id_token_hint"] = otherHint } };

        var response = await browser.AuthorizeAsync(request);

        if (response.Code is not null)
        {
            var tokens = await new TokenClient(_host.CreateProtocolClient())
                .RedeemCodeAsync(TestSeed.HealthClient, TestSeed.HealthSecret, response.Code, request.CodeVerifier, TestSeed.HealthRedirect);
            Assert.NotEqual(otherSub, Tokens.Read(tokens["id_token"]!).Subject);
        }
        else
        {
            Assert.True(response.Error is not null || response.Page.IsLoginPage, response.Page.Uri.ToString());
        }
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AZ-19")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("\"><img src=x onerror=alert(1)>")]
    public async Task Authorize_WithScriptInLoginHint_ShowsItEncoded(string loginHint)
    {
        var page = await StartAsync(Tax() with { Extra = new() { ["login_hint"] = loginHint } });

        Assert.True(page.IsLoginPage);
        Assert.DoesNotContain(loginHint, page.Html, StringComparison.Ordinal);
        Assert.Equal(loginHint, page.Document.QuerySelector("input[name=username]")?.GetAttribute("value"));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-19")]
    public async Task Authorize_WithCrlfInLoginHintAndLocales_InjectsNoHeader()
    {
        using var browser = _host.CreateBrowser();
        var request = Tax() with
        {
            Extra = new()
            {
                ["login_hint"] = "citizen1\r\nSet-Cookie: injected=1",
                ["ui_locales"] = "fr\r\nX-Injected: 1",
                ["acr_values"] = "urn:onepass:loa:1\r\nX-Injected: 1",
                ["claims_locales"] = "ko\r\nX-Injected: 1",
            },
        };

        var page = await browser.NavigateAsync(request.ToUrl());

        Assert.True(page.IsLoginPage);
        Assert.DoesNotContain(browser.Cookies.GetAllCookies(), cookie => cookie.Name == "injected");
        Assert.False(page.Response.Headers.Contains("X-Injected"));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-19")]
    public async Task Authorize_WithHugeAndHostileUiLocales_FallsBackToEnglish()
    {
        var page = await StartAsync(Tax() with
        {
            Extra = new() { ["ui_locales"] = "<script>" + new string('x', 10 * 1024), ["login_hint"] = new string('h', 10 * 1024) },
        });

        Assert.True(page.IsLoginPage);
        Assert.Equal("en", page.Document.DocumentElement.GetAttribute("lang"));
        Assert.DoesNotContain("<script>x", page.Html, StringComparison.Ordinal);
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AZ-19")]
    [InlineData("fr", "Connexion")]
    [InlineData("ko", "로그인")]
    [InlineData("de fr-CA", "Connexion")]
    public async Task Authorize_WithUiLocales_ShowsLoginPageInThatLanguage(string uiLocales, string title)
    {
        var page = await StartAsync(Tax() with { Extra = new() { ["ui_locales"] = uiLocales } });

        Assert.True(page.IsLoginPage);
        Assert.Equal(uiLocales.Split(' ')[^1][..2], page.Document.DocumentElement.GetAttribute("lang"));
        Assert.Equal(title, page.Document.QuerySelector("h1")?.TextContent);
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    [InlineData(TestSeed.HealthClient, TestSeed.HealthRedirect, "urn:onepass:loa:3")]
    [InlineData(TestSeed.StrictClient, TestSeed.StrictRedirect, null)] // agency minimum loa:2
    public async Task Authorize_WithUnreachableAssurance_RedirectsUnmetAuthenticationRequirements(string clientId, string redirectUri, string? acrValues)
    {
        using var browser = _host.CreateBrowser();
        var request = new AuthorizationRequest(clientId, redirectUri) { Scope = "openid" };
        if (acrValues is not null)
        {
            request.Extra["acr_values"] = acrValues;
        }

        var response = await browser.AuthorizeAsync(request, Citizen);

        Assert.Equal("unmet_authentication_requirements", response.Error);
        Assert.Null(response.Code);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-21")]
    public async Task Authorize_WithFormPostResponseMode_PostsCodeToRedirectUri()
    {
        using var browser = _host.CreateBrowser();

        var response = await browser.AuthorizeAsync(Health() with { Extra = new() { ["response_mode"] = "form_post" } }, Citizen);

        var form = response.Page.Document.Forms.Single();
        Assert.Equal(TestSeed.HealthRedirect, form.Action);
        Assert.False(string.IsNullOrEmpty(form.Elements.OfType<AngleSharp.Html.Dom.IHtmlInputElement>().Single(input => input.Name == "code").Value));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-21")]
    public async Task Authorize_WithFragmentResponseMode_ReturnsCodeInFragment()
    {
        using var browser = _host.CreateBrowser();

        var response = await browser.AuthorizeAsync(Health() with { Extra = new() { ["response_mode"] = "fragment" } }, Citizen);

        Assert.NotNull(response.Callback);
        Assert.Contains("code", QueryHelpers.ParseQuery(response.Callback.Fragment.TrimStart('#')).Keys);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-21")]
    public async Task Authorize_WithUnknownResponseMode_RedirectsInvalidRequest()
    {
        var page = await StartAsync(Tax() with { Extra = new() { ["response_mode"] = "bogus" } });

        AssertRedirectedError(page, TestSeed.TaxRedirect, "invalid_request");
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AZ-22")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task Authorize_WithOtherMethod_Answers405(string method)
    {
        using var browser = _host.CreateBrowser();
        var before = await _host.CountRowsAsync();

        var response = await browser.SendAsync(new HttpRequestMessage(new HttpMethod(method), Tax().ToUrl()));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(before, await _host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-15")]
    public async Task Authorize_WithPromptLogin_AsksAgainAndIssuesLaterAuthTime()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = FreshnessHost(clock);
        using var browser = host.CreateBrowser();
        var first = await SignInAndGetAuthTimeAsync(host, browser, Health());
        clock.Advance(TimeSpan.FromSeconds(5));

        var page = await browser.NavigateAsync((Health() with { Extra = new() { ["prompt"] = "login" } }).ToUrl());
        Assert.True(page.IsLoginPage);
        var second = await SignInAndGetAuthTimeAsync(host, browser, Health() with { Extra = new() { ["prompt"] = "login" } });

        Assert.True(second > first, $"{second} > {first}");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-15")]
    public async Task Authorize_WithMaxAge1_AfterTwoSeconds_AsksAgainWithoutLoop()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = FreshnessHost(clock);
        using var browser = host.CreateBrowser();
        var first = await SignInAndGetAuthTimeAsync(host, browser, Health());
        clock.Advance(TimeSpan.FromSeconds(2));
        var request = Health() with { Extra = new() { ["max_age"] = "1" } };

        var page = await browser.NavigateAsync(request.ToUrl());
        Assert.True(page.IsLoginPage);
        var second = await SignInAndGetAuthTimeAsync(host, browser, request);

        Assert.True(second > first, $"{second} > {first}");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-15")]
    public async Task Authorize_WithMaxAge10000_UsesExistingSession()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = FreshnessHost(clock);
        using var browser = host.CreateBrowser();
        var first = await SignInAndGetAuthTimeAsync(host, browser, Health());
        clock.Advance(TimeSpan.FromSeconds(30));
        var request = Health() with { Extra = new() { ["max_age"] = "10000" } };

        var response = await browser.AuthorizeAsync(request);

        Assert.NotNull(response.Code);
        Assert.Equal(first, await AuthTimeAsync(host, request, response.Code));
    }

    private static OnePassHost FreshnessHost(FakeTimeProvider clock) =>
        new(new OnePassHostOptions { ConfigureServices = services => services.AddSingleton<TimeProvider>(clock) });

    private static async Task<long> SignInAndGetAuthTimeAsync(OnePassHost host, BrowserClient browser, AuthorizationRequest request)
    {
        var response = await browser.AuthorizeAsync(request, Citizen);
        Assert.True(response.Code is not null, response.Page.Uri.ToString());
        return await AuthTimeAsync(host, request, response.Code);
    }

    private static async Task<long> AuthTimeAsync(OnePassHost host, AuthorizationRequest request, string code)
    {
        var tokens = await new TokenClient(host.CreateProtocolClient())
            .RedeemCodeAsync(TestSeed.HealthClient, TestSeed.HealthSecret, code, request.CodeVerifier, TestSeed.HealthRedirect);
        return Tokens.Read(tokens["id_token"]!).GetPayloadValue<long>("auth_time");
    }

    private async Task<string> IdTokenForAsync(string username)
    {
        using var browser = _host.CreateBrowser();
        var request = Tax();
        var response = await browser.AuthorizeAsync(request, (username, TestSeed.Password));
        var tokens = await new TokenClient(_host.CreateProtocolClient())
            .RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, response.Code!, request.CodeVerifier, TestSeed.TaxRedirect);
        return tokens["id_token"]!;
    }
}
