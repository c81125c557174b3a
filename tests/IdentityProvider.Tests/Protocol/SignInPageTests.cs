using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Protocol;

/// <summary>
/// The host of <see cref="SignInPageTests"/>: a low lockout threshold and citizens of its own, so that
/// lockout and password tests do not touch the users other classes rely on.
/// </summary>
public sealed class SignInPageHostFixture : IDisposable
{
    public const int MaxFailedAttempts = 3;
    public const string LongPasswordUser = "long-password";
    public const string EmojiPasswordUser = "emoji-password";
    public const string LockoutUser = "lockout-target";
    public const string LockedUser = "already-locked";
    public const string ConsentUser = "consent-citizen";

    // 128 characters, verified whole (ASVS 6.2.9): the last characters matter as much as the first.
    public static readonly string LongPassword = string.Concat(Enumerable.Repeat("Correct-Horse-", 10))[..126] + "!x";
    public const string EmojiPassword = "  my 🐴 rides a 🚲 to the 🏛️ office  ";

    public OnePassHost Host { get; } = new(new OnePassHostOptions
    {
        Settings = { ["OnePass:Lockout:MaxFailedAttempts"] = MaxFailedAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        ConfigureSeed = seed =>
        {
            var users = seed["users"]!.AsArray();
            users.Add(WithPassword(TestSeed.User(LongPasswordUser, "long@example.test", "Long Password"), LongPassword));
            users.Add(WithPassword(TestSeed.User(EmojiPasswordUser, "emoji@example.test", "Emoji Password"), EmojiPassword));
            users.Add(TestSeed.User(LockoutUser, "lockout@example.test", "Lockout Target"));
            users.Add(TestSeed.User(LockedUser, "locked@example.test", "Already Locked"));
            users.Add(TestSeed.User(ConsentUser, "consent@example.test", "Consent Citizen"));
        },
    });

    private static JsonObject WithPassword(JsonObject user, string password)
    {
        user["password"] = password;
        return user;
    }

    public void Dispose() => Host.Dispose();
}

/// <summary>The password, consent and logout pages as a browser sees them (CATALOGUE IN-LG-*, AT-13..AT-28).</summary>
public sealed class SignInPageTests(SignInPageHostFixture fixture) : IClassFixture<SignInPageHostFixture>
{
    private const string LoginPath = "/account/login";
    private const string SessionCookie = "onepass";
    private const string AntiforgeryField = "__RequestVerificationToken";
    private readonly OnePassHost _host = fixture.Host;

    private static Dictionary<string, string> Credentials(string username, string password) => new()
    {
        ["username"] = username,
        ["password"] = password,
    };

    private static string? CookieValue(BrowserClient browser, string name) =>
        browser.Cookies.GetAllCookies().FirstOrDefault(cookie => cookie.Name == name)?.Value;

    private static async Task<HttpResponseMessage> PostLoginAsync(BrowserClient browser, string username, string password, string? returnUrl = null)
    {
        var page = await browser.NavigateAsync(LoginPath);
        var fields = page.Form().Fields.Where(field => field.Key is not "username" and not "password" and not "ReturnUrl").ToList();
        fields.AddRange(Credentials(username, password));
        if (returnUrl is not null)
        {
            fields.Add(new("ReturnUrl", returnUrl));
        }

        return await browser.PostFormAsync(LoginPath, fields);
    }

    private Task<int> FailedCountAsync(string username) =>
        _host.WithDatabaseAsync(db => db.Users.Where(user => user.UserName == username).Select(user => user.AccessFailedCount).SingleAsync());

    private static async Task<BrowserPage> ConsentPageAsync(BrowserClient browser, AuthorizationRequest request)
    {
        var page = await browser.NavigateAsync(request.ToUrl());
        page = await browser.SubmitAsync(page, Credentials(SignInPageHostFixture.ConsentUser, TestSeed.Password));
        Assert.True(page.IsConsentPage, page.Uri.ToString());
        return page;
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-01")]
    public async Task Login_WithoutAntiforgeryToken_Answers400AndCountsNothing()
    {
        using var browser = _host.CreateBrowser();
        await browser.NavigateAsync(LoginPath);

        var response = await browser.PostFormAsync(LoginPath, Credentials(TestSeed.OtherCitizen, "wrong password, long enough"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await FailedCountAsync(TestSeed.OtherCitizen));
        Assert.Null(CookieValue(browser, SessionCookie));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-01")]
    public async Task Login_WithAntiforgeryTokenOfAnotherBrowser_Answers400AndSignsNobodyIn()
    {
        using var attacker = _host.CreateBrowser();
        using var victim = _host.CreateBrowser();
        var stale = (await attacker.NavigateAsync(LoginPath)).Form().Fields.Single(field => field.Key == AntiforgeryField);
        await victim.NavigateAsync(LoginPath);

        var response = await victim.PostFormAsync(LoginPath, [.. Credentials(TestSeed.Citizen, TestSeed.Password), stale]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(CookieValue(victim, SessionCookie));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-13")]
    public async Task Login_CrossSiteFormPostOfAttackerCredentials_Answers400AndVictimStaysSignedOut()
    {
        using var victim = _host.CreateBrowser();
        using var post = new HttpRequestMessage(HttpMethod.Post, LoginPath)
        {
            Content = new FormUrlEncodedContent(Credentials(TestSeed.OtherCitizen, TestSeed.Password)),
        };
        post.Headers.Add("Origin", "https://evil.example");

        var response = await victim.SendAsync(post);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(CookieValue(victim, SessionCookie));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public async Task Login_With128CharacterPassword_SucceedsOnlyWithTheWholePassword()
    {
        using var truncated = _host.CreateBrowser();
        using var whole = _host.CreateBrowser();
        Assert.Equal(128, SignInPageHostFixture.LongPassword.Length);

        var wrong = await PostLoginAsync(truncated, SignInPageHostFixture.LongPasswordUser, SignInPageHostFixture.LongPassword[..127]);
        var right = await PostLoginAsync(whole, SignInPageHostFixture.LongPasswordUser, SignInPageHostFixture.LongPassword);

        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Null(CookieValue(truncated, SessionCookie));
        Assert.Equal(HttpStatusCode.SeeOther, right.StatusCode);
        Assert.NotNull(CookieValue(whole, SessionCookie));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public async Task Login_WithSpacesAndEmojiPassword_SucceedsOnlyWithTheExactPassword()
    {
        using var trimmed = _host.CreateBrowser();
        using var exact = _host.CreateBrowser();

        var wrong = await PostLoginAsync(trimmed, SignInPageHostFixture.EmojiPasswordUser, SignInPageHostFixture.EmojiPassword.Trim());
        var right = await PostLoginAsync(exact, SignInPageHostFixture.EmojiPasswordUser, SignInPageHostFixture.EmojiPassword);

        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Null(CookieValue(trimmed, SessionCookie));
        Assert.Equal(HttpStatusCode.SeeOther, right.StatusCode);
        Assert.NotNull(CookieValue(exact, SessionCookie));
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-LG-11")]
    [InlineData("https://evil.example")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("/%2F%2Fevil.example")]
    [InlineData("/%5Cevil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/connect/authorize/../../evil")]
    public async Task Login_WithForeignReturnUrl_GoesHomeInstead(string returnUrl)
    {
        using var browser = _host.CreateBrowser();

        var response = await PostLoginAsync(browser, TestSeed.Citizen, TestSeed.Password, returnUrl);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-11")]
    public async Task Login_WithLocalAuthorizeReturnUrl_FollowsIt()
    {
        using var browser = _host.CreateBrowser();
        const string returnUrl = "/connect/authorize?client_id=agency-tax&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc";

        var response = await PostLoginAsync(browser, TestSeed.Citizen, TestSeed.Password, returnUrl);

        Assert.Equal(returnUrl, response.Headers.Location?.OriginalString);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-13")]
    public async Task Login_Post_Answers303SeeOther()
    {
        using var browser = _host.CreateBrowser();

        var response = await PostLoginAsync(browser, TestSeed.Citizen, TestSeed.Password);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-LG-12")]
    [InlineData(null)]
    [InlineData("maybe")]
    [InlineData("")]
    public async Task Consent_WithMissingOrUnknownDecision_Answers400AndGrantsNothing(string? decision)
    {
        using var browser = _host.CreateBrowser();
        var page = await ConsentPageAsync(browser, new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect));
        var before = await _host.CountRowsAsync();
        var fields = page.Form().Fields.ToList();
        if (decision is not null)
        {
            fields.Add(new("decision", decision));
        }

        var response = await browser.PostFormAsync("/connect/authorize", fields);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, await _host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-14")]
    public async Task Consent_CrossSitePostWithoutAntiforgery_Answers400AndStoresNoConsent()
    {
        using var browser = _host.CreateBrowser();
        var page = await ConsentPageAsync(browser, new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect));
        var before = await _host.CountRowsAsync();
        var fields = page.Form().Fields.Where(field => field.Key != AntiforgeryField).Append(new("decision", "allow"));

        var response = await browser.PostFormAsync("/connect/authorize", fields);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, await _host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-15")]
    public async Task Consent_WithScopeAddedToHiddenFields_GrantsOnlyTheStoredRequestsScopes()
    {
        using var browser = _host.CreateBrowser();
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Scope = "openid profile" };
        var page = await ConsentPageAsync(browser, request);

        var callback = await browser.SubmitAsync(page, new Dictionary<string, string> { ["scope"] = "openid profile email offline_access" },
            "decision", "allow", uri => uri.ToString().StartsWith(TestSeed.TaxRedirect, StringComparison.Ordinal));
        var code = callback.RedirectParameters().GetValueOrDefault("code");
        var tokens = await new TokenClient(_host.CreateProtocolClient())
            .RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code ?? string.Empty, request.CodeVerifier, TestSeed.TaxRedirect);

        if (code is not null)
        {
            Assert.DoesNotContain("offline_access", tokens["scope"] ?? string.Empty, StringComparison.Ordinal);
            Assert.False(Tokens.Read(tokens["id_token"]!).TryGetPayloadValue<string>("email", out _));
            Assert.DoesNotContain("email", tokens["scope"] ?? string.Empty, StringComparison.Ordinal);
        }
        else
        {
            Assert.NotEqual(HttpStatusCode.OK, tokens.Status);
        }
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-15")]
    public async Task Consent_WithClientIdSwappedInHiddenFields_IssuesNoCode()
    {
        using var browser = _host.CreateBrowser();
        var page = await ConsentPageAsync(browser, new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect));

        var result = await browser.SubmitAsync(page, new Dictionary<string, string> { ["client_id"] = TestSeed.HealthClient }, "decision", "allow");

        Assert.False(result.StoppedAtRedirect && result.RedirectParameters().ContainsKey("code"), result.Uri.ToString());
        Assert.InRange((int)result.Status, 400, 499);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-15")]
    public async Task Consent_PointedAtAnotherPendingRequest_Answers400AndGrantsNothing()
    {
        using var browser = _host.CreateBrowser();
        var shown = await ConsentPageAsync(browser, new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Scope = "openid" });
        var wider = await browser.NavigateAsync(new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Scope = "openid profile email offline_access" }.ToUrl());
        Assert.True(wider.IsConsentPage);
        var widerRequestUri = wider.Form().Fields.Single(field => field.Key == "request_uri").Value;
        var before = await _host.CountRowsAsync();

        var result = await browser.SubmitAsync(shown, new Dictionary<string, string> { ["request_uri"] = widerRequestUri }, "decision", "allow");

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal(before, await _host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task Login_WithPlantedSessionCookie_IssuesNewCookieValue()
    {
        using var browser = _host.CreateBrowser();
        const string planted = "planted-by-attacker";
        browser.Cookies.Add(_host.Issuer, new Cookie(SessionCookie, planted));

        await PostLoginAsync(browser, TestSeed.Citizen, TestSeed.Password);

        Assert.NotEqual(planted, CookieValue(browser, SessionCookie));
        Assert.NotNull(CookieValue(browser, SessionCookie));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task Login_Again_ChangesSessionCookieValue()
    {
        using var browser = _host.CreateBrowser();
        await PostLoginAsync(browser, TestSeed.Citizen, TestSeed.Password);
        var first = CookieValue(browser, SessionCookie);

        await PostLoginAsync(browser, TestSeed.Citizen, TestSeed.Password);

        Assert.NotNull(first);
        Assert.NotEqual(first, CookieValue(browser, SessionCookie));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-18")]
    public async Task Login_AfterMaxFailedAttempts_LocksAccountInDatabase_AndRightPasswordFailsAlike()
    {
        using var browser = _host.CreateBrowser();
        string? message = null;
        for (var i = 0; i < SignInPageHostFixture.MaxFailedAttempts; i++)
        {
            var failed = await browser.FollowAsync(await PostLoginAsync(browser, SignInPageHostFixture.LockoutUser, "not the password, but long"));
            message ??= failed.Document.QuerySelector("#login-error")?.TextContent;
        }

        var locked = await browser.FollowAsync(await PostLoginAsync(browser, SignInPageHostFixture.LockoutUser, TestSeed.Password));
        var lockoutEnd = await _host.WithDatabaseAsync(db =>
            db.Users.Where(user => user.UserName == SignInPageHostFixture.LockoutUser).Select(user => user.LockoutEnd).SingleAsync());

        Assert.Equal(HttpStatusCode.OK, locked.Status);
        Assert.Null(CookieValue(browser, SessionCookie));
        Assert.Equal(message, locked.Document.QuerySelector("#login-error")?.TextContent);
        Assert.True(lockoutEnd > DateTimeOffset.UtcNow, $"LockoutEnd {lockoutEnd}");
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-22")]
    public async Task Login_UnknownUserWrongPasswordAndLocked_AnswerAlike()
    {
        using (var locker = _host.CreateBrowser())
        {
            for (var i = 0; i < SignInPageHostFixture.MaxFailedAttempts; i++)
            {
                await PostLoginAsync(locker, SignInPageHostFixture.LockedUser, "not the password, but long");
            }
        }

        var unknown = await AttemptAsync("no-such-citizen", TestSeed.Password);
        var wrong = await AttemptAsync(TestSeed.OtherCitizen, "not the password, but long");
        var locked = await AttemptAsync(SignInPageHostFixture.LockedUser, TestSeed.Password);

        Assert.Equal(unknown, wrong);
        Assert.Equal(unknown, locked);
    }

    private async Task<string> AttemptAsync(string username, string password)
    {
        using var browser = _host.CreateBrowser();
        var response = await PostLoginAsync(browser, username, password);
        var page = await browser.FollowAsync(response);
        var cookies = response.Headers.TryGetValues("Set-Cookie", out var values)
            ? string.Join(",", values.Select(value => value.Split('=', 2)[0]).Order(StringComparer.Ordinal))
            : string.Empty;
        page.Document.QuerySelector("input[name=username]")?.SetAttribute("value", string.Empty);
        page.Document.QuerySelectorAll("input[type=hidden]").ToList().ForEach(input => input.SetAttribute("value", string.Empty));
        var text = page.Document.QuerySelector("main")?.TextContent.Trim();
        return $"{(int)response.StatusCode} | {cookies} | {text}";
    }

    [Theory]
    [Trait(Catalogue.Row, "AT-25")]
    [Trait(Catalogue.Row, "AT-28")]
    [InlineData("login")]
    [InlineData("consent")]
    [InlineData("logout")]
    [InlineData("error")]
    public async Task Pages_ForbidFramingAndReferrer(string kind)
    {
        using var browser = _host.CreateBrowser();
        var page = kind switch
        {
            "login" => await browser.NavigateAsync(LoginPath),
            "consent" => await ConsentPageAsync(browser, new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect)),
            "logout" => await LogoutConfirmationAsync(browser),
            _ => await browser.NavigateAsync("/connect/authorize?client_id=no-such-agency"),
        };

        var headers = page.Response.Headers;
        Assert.Contains("frame-ancestors 'none'", string.Join(";", headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", Assert.Single(headers.GetValues("Referrer-Policy")));
    }

    private static async Task<BrowserPage> LogoutConfirmationAsync(BrowserClient browser)
    {
        await PostLoginAsync(browser, TestSeed.Citizen, TestSeed.Password);
        var page = await browser.NavigateAsync("/connect/endsession");
        Assert.True(page.IsLogoutConfirmation);
        return page;
    }

    [Theory]
    [Trait(Catalogue.Row, "AT-24")]
    [InlineData("client_id", "<script>alert(1)</script>")]
    [InlineData("redirect_uri", "https://evil.example/\"><script>alert(1)</script>")]
    public async Task ErrorPage_WithScriptInParameters_EncodesItAndLinksNowhere(string name, string value)
    {
        using var browser = _host.CreateBrowser();
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect)
        {
            State = "<script>alert(2)</script>",
            Extra = new() { [name] = value, ["error_description"] = "<script>alert(3)</script>" },
        };
        request = name == "client_id" ? request with { ClientId = value } : request with { RedirectUri = value };

        var page = await browser.NavigateAsync(request.ToUrl());

        Assert.InRange((int)page.Status, 400, 499);
        Assert.DoesNotContain("<script>alert", page.Html, StringComparison.Ordinal);
        Assert.Empty(page.Document.QuerySelectorAll("a[href*='evil']"));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-24")]
    public async Task ErrorRedirect_WithScriptInState_EchoesItToTheAgencyOnly()
    {
        using var browser = _host.CreateBrowser();
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { State = "<script>alert(1)</script>", Scope = "openid bogus" };

        var page = await browser.NavigateAsync(request.ToUrl());

        Assert.True(page.StoppedAtRedirect);
        Assert.Equal(request.State, page.RedirectParameters()["state"]);
        Assert.DoesNotContain("<script>", page.Uri.AbsoluteUri, StringComparison.Ordinal);
    }
}
