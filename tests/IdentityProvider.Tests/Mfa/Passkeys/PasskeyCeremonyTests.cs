using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Site;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Mfa.Passkeys;

/// <summary>
/// Passkey registration and sign-in through the JSON ceremony endpoints, with a software authenticator
/// that crafts (and spoils) attestations and assertions byte by byte (CATALOGUE IN-LG-09, IN-LG-10, IN-AZ-20).
/// </summary>
public sealed class PasskeyCeremonyTests(PasskeyHostFixture fixture) : IClassFixture<PasskeyHostFixture>
{
    private const string Origin = PasskeyHostFixture.Origin;
    private readonly OnePassHost _host = fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    public async Task UsernamelessSignIn_WithUserVerification_IdTokenIsLoa3WithKeyUserAndMfa()
    {
        using var authenticator = await RegisteredAuthenticatorAsync(fixture.NewUser());
        using var browser = _host.CreateBrowser();
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect)
        {
            Extra = { ["acr_values"] = AssuranceLevels.PhishingResistant },
        };

        var signIn = await SignInAsync(browser, authenticator, returnUrl: "/account/security");
        var response = await browser.AuthorizeAsync(request);

        Assert.Equal(HttpStatusCode.OK, signIn.Status);
        Assert.Equal("/account/security", signIn.Json.GetProperty("redirect").GetString());
        Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status} {response.Page.Html[..Math.Min(2000, response.Page.Html.Length)]}");
        var tokens = new TokenClient(_host.CreateProtocolClient());
        var redeemed = await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, response.Code!, request.CodeVerifier, TestSeed.TaxRedirect);
        var idToken = await Tokens.ValidateIdTokenAsync(_host.CreateProtocolClient(), _host.Issuer, redeemed["id_token"]!, TestSeed.TaxClient);
        Assert.Equal(AssuranceLevels.PhishingResistant, idToken.GetClaim("acr").Value);
        var amr = idToken.GetPayloadValue<JsonElement>("amr").EnumerateArray().Select(value => value.GetString()).ToList();
        Assert.Contains("hwk", amr);
        Assert.Contains("user", amr);
        Assert.Contains("mfa", amr);
        Assert.DoesNotContain("pwd", amr);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    public async Task UsernamelessSignIn_WithoutUserVerification_Refused()
    {
        using var authenticator = await RegisteredAuthenticatorAsync(fixture.NewUser());
        using var browser = _host.CreateBrowser();
        var before = await CountsAsync();

        var answer = await SignInAsync(browser, authenticator, flags: SoftwareAuthenticator.UserPresent);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_request", answer.Error);
        Assert.Equal(before, await CountsAsync());
        Assert.Null(await SessionOfAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task SignIn_WrongOrigin_RefusedAndNothingStored()
    {
        using var authenticator = await RegisteredAuthenticatorAsync(fixture.NewUser());
        using var browser = _host.CreateBrowser();
        var before = await CountsAsync();
        var passkeyBefore = await PasskeyStateAsync(authenticator);

        var answer = await SignInAsync(browser, authenticator, origin: "https://onepass.evil.example");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("origin", answer.Json.GetProperty("error_description").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await CountsAsync());
        Assert.Equal(passkeyBefore, await PasskeyStateAsync(authenticator));
        Assert.Null(await SessionOfAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task SignIn_WrongRpIdHash_RefusedAndNothingStored()
    {
        using var authenticator = await RegisteredAuthenticatorAsync(fixture.NewUser());
        using var browser = _host.CreateBrowser();
        var before = await CountsAsync();

        var answer = await SignInAsync(browser, authenticator, rpId: "evil.example");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(before, await CountsAsync());
        Assert.Null(await SessionOfAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task SignIn_ReusedChallenge_SecondAnswerRefused()
    {
        using var authenticator = await RegisteredAuthenticatorAsync(fixture.NewUser());
        using var browser = _host.CreateBrowser();
        var options = await PasskeyCalls.PostAsync(browser, "signin/options", new JsonObject());
        var first = await PasskeyCalls.PostAsync(browser, "signin", authenticator.Assert(options.Json, Origin));
        using var replayer = _host.CreateBrowser();

        var second = await PasskeyCalls.PostAsync(replayer, "signin", authenticator.Assert(options.Json, Origin));

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.BadRequest, second.Status);
        Assert.Null(await SessionOfAsync(replayer));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task SignIn_ForeignChallenge_RefusedAndNothingStored()
    {
        using var authenticator = await RegisteredAuthenticatorAsync(fixture.NewUser());
        using var browser = _host.CreateBrowser();
        var options = await PasskeyCalls.PostAsync(browser, "signin/options", new JsonObject());
        var before = await CountsAsync(includeAudit: true);

        // A challenge OnePass never issued, signed properly by the real authenticator.
        var foreign = System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var answer = await PasskeyCalls.PostAsync(browser, "signin", authenticator.Assert(options.Json, Origin, challengeOverride: foreign));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(before, await CountsAsync(includeAudit: true));
        Assert.Null(await SessionOfAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task SignIn_RegistrationChallengeUsedForSignIn_Refused()
    {
        var user = fixture.NewUser();
        using var authenticator = await RegisteredAuthenticatorAsync(user);
        using var owner = _host.CreateBrowser();
        await SignInAsync(owner, authenticator);
        var registration = await PasskeyCalls.PostAsync(owner, "register/options", new JsonObject { ["name"] = "second" });
        using var browser = _host.CreateBrowser();
        var signInOptions = await PasskeyCalls.PostAsync(browser, "signin/options", new JsonObject());

        var answer = await PasskeyCalls.PostAsync(browser, "signin",
            authenticator.Assert(signInOptions.Json, Origin, challengeOverride: registration.Json.GetProperty("challenge").GetString()));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Null(await SessionOfAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task SignIn_CounterRegression_RefusedAndAudited()
    {
        var user = fixture.NewUser();
        using var authenticator = await RegisteredAuthenticatorAsync(user);
        using (var first = _host.CreateBrowser())
        {
            authenticator.Counter = 10;
            Assert.Equal(HttpStatusCode.OK, (await SignInAsync(first, authenticator)).Status);
        }

        using var browser = _host.CreateBrowser();
        var before = await CountsAsync();
        var stateBefore = await PasskeyStateAsync(authenticator);

        var answer = await SignInAsync(browser, authenticator, counter: 5);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_request", answer.Error);
        Assert.Equal(Texts.In("en", "passkey.error.counterRegression"), answer.Json.GetProperty("error_description").GetString());
        Assert.Equal(before, await CountsAsync());
        Assert.Equal(stateBefore, await PasskeyStateAsync(authenticator));
        Assert.Null(await SessionOfAsync(browser));
        var outcomes = await _host.WithDatabaseAsync(db => db.AuthEvents
            .Where(e => e.Method == "passkey" && e.Outcome == "counter-regression")
            .Join(db.Users.Where(u => u.UserName == user), e => e.UserId, u => u.Id, (e, _) => e.Outcome)
            .ToListAsync());
        Assert.Single(outcomes);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task SignIn_CounterDroppingToZero_Refused()
    {
        using var authenticator = await RegisteredAuthenticatorAsync(fixture.NewUser());
        using (var first = _host.CreateBrowser())
        {
            authenticator.Counter = 3;
            Assert.Equal(HttpStatusCode.OK, (await SignInAsync(first, authenticator)).Status);
        }

        using var browser = _host.CreateBrowser();

        var answer = await SignInAsync(browser, authenticator, counter: 0);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Null(await SessionOfAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task SignIn_UnknownCredentialId_RefusedAndNothingStored()
    {
        using var stranger = new SoftwareAuthenticator();
        using var browser = _host.CreateBrowser();
        var before = await CountsAsync();

        var answer = await SignInAsync(browser, stranger);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_request", answer.Error);
        Assert.Equal(before, await CountsAsync());
        Assert.Null(await SessionOfAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task SignIn_OneMegabyteClientDataJson_RefusedAndNothingStored()
    {
        using var authenticator = await RegisteredAuthenticatorAsync(fixture.NewUser());
        using var browser = _host.CreateBrowser();
        var options = await PasskeyCalls.PostAsync(browser, "signin/options", new JsonObject());
        var before = await CountsAsync(includeAudit: true);
        var huge = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            type = "webauthn.get",
            challenge = options.Json.GetProperty("challenge").GetString(),
            origin = Origin,
            padding = new string('a', 1024 * 1024),
        }));

        var answer = await PasskeyCalls.PostAsync(browser, "signin", authenticator.Assert(options.Json, Origin, clientDataOverride: huge));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_request", answer.Error);
        Assert.Equal(before, await CountsAsync(includeAudit: true));
        Assert.Null(await SessionOfAsync(browser));
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-LG-09")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"id\":\"x\",\"rawId\":\"%%%\",\"type\":\"public-key\"}")]
    [InlineData("{\"id\":\"AAAA\",\"rawId\":\"AAAA\",\"type\":\"public-key\",\"response\":{\"authenticatorData\":\"AAAA\",\"clientDataJSON\":\"AAAA\",\"signature\":\"AAAA\"}}")]
    [InlineData("{\"id\":\"AAAA\",\"rawId\":\"AAAA\",\"type\":\"public-key\",\"response\":{\"authenticatorData\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"clientDataJSON\":\"e30\",\"signature\":\"AAAA\"}}")]
    public async Task SignIn_MalformedBody_400WithErrorAndNothingStored(string body)
    {
        using var browser = _host.CreateBrowser();
        var before = await CountsAsync(includeAudit: true);

        var answer = await PasskeyCalls.PostRawAsync(browser, "signin", Encoding.UTF8.GetBytes(body));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_request", answer.Error);
        Assert.Equal(before, await CountsAsync(includeAudit: true));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task SignInOptions_WithoutPasskeyHeader_Refused()
    {
        using var browser = _host.CreateBrowser();

        var answer = await PasskeyCalls.PostAsync(browser, "signin/options", new JsonObject(), header: false);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_request", answer.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-10")]
    public async Task Register_CredentialIdAlreadyBoundToAnotherUser_RefusedAndNotStored()
    {
        using var original = await RegisteredAuthenticatorAsync(fixture.NewUser());
        using var copy = new SoftwareAuthenticator { CredentialId = original.CredentialId };
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync(fixture.NewUser());
        var options = await PasskeyCalls.PostAsync(browser, "register/options", new JsonObject { ["name"] = "copy" });
        var before = await CountsAsync();

        var answer = await PasskeyCalls.PostAsync(browser, "register", copy.Register(options.Json, Origin));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_request", answer.Error);
        Assert.Equal(before, await CountsAsync());
        Assert.Equal(1, await _host.WithDatabaseAsync(db => db.Passkeys.CountAsync(p => p.CredentialId == original.CredentialId)));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-10")]
    public async Task Register_MalformedAttestationObject_RefusedAndNotStored()
    {
        using var authenticator = new SoftwareAuthenticator();
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync(fixture.NewUser());
        var options = await PasskeyCalls.PostAsync(browser, "register/options", new JsonObject { ["name"] = "broken" });
        var registration = authenticator.Register(options.Json, Origin);
        registration["response"]!["attestationObject"] = "oWNmbXRkbm9uZQ"; // {"fmt":"none"}: no authData
        var before = await CountsAsync();

        var answer = await PasskeyCalls.PostAsync(browser, "register", registration);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_request", answer.Error);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-10")]
    public async Task Register_WithoutSignIn_Refused()
    {
        using var browser = _host.CreateBrowser();

        var answer = await PasskeyCalls.PostAsync(browser, "register/options", new JsonObject { ["name"] = "anonymous" });

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("login_required", answer.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-10")]
    public async Task RegisterOptions_ExcludesTheUsersExistingPasskeys()
    {
        var user = fixture.NewUser();
        using var authenticator = await RegisteredAuthenticatorAsync(user);
        using var browser = _host.CreateBrowser();
        await SignInAsync(browser, authenticator);

        var options = await PasskeyCalls.PostAsync(browser, "register/options", new JsonObject { ["name"] = "another" });

        var excluded = options.Json.GetProperty("excludeCredentials").EnumerateArray().Select(item => item.GetProperty("id").GetString()).ToList();
        Assert.Equal([System.Buffers.Text.Base64Url.EncodeToString(authenticator.CredentialId)], excluded);
        Assert.Equal("required", options.Json.GetProperty("authenticatorSelection").GetProperty("residentKey").GetString());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-10")]
    public async Task Remove_OwnPasskeyInRecentSession_Removed()
    {
        var user = fixture.NewUser();
        using var authenticator = await RegisteredAuthenticatorAsync(user);
        using var browser = _host.CreateBrowser();
        await SignInAsync(browser, authenticator);
        var id = await PasskeyIdAsync(authenticator);

        var answer = await PasskeyCalls.DeleteAsync(browser, id);

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        Assert.False(await _host.WithDatabaseAsync(db => db.Passkeys.AnyAsync(p => p.Id == id)));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-10")]
    public async Task Remove_AnotherUsersPasskey_NotFoundAndKept()
    {
        using var authenticator = await RegisteredAuthenticatorAsync(fixture.NewUser());
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync(fixture.NewUser());
        var id = await PasskeyIdAsync(authenticator);

        var answer = await PasskeyCalls.DeleteAsync(browser, id);

        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
        Assert.True(await _host.WithDatabaseAsync(db => db.Passkeys.AnyAsync(p => p.Id == id)));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-10")]
    public async Task RemoveForm_WithoutAntiforgeryToken_RefusedAndKept()
    {
        var user = fixture.NewUser();
        using var authenticator = await RegisteredAuthenticatorAsync(user);
        using var browser = _host.CreateBrowser();
        await SignInAsync(browser, authenticator);
        var id = await PasskeyIdAsync(authenticator);

        var response = await browser.PostFormAsync($"/account/passkeys/{id}/remove", [new("remove", id.ToString())]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(await _host.WithDatabaseAsync(db => db.Passkeys.AnyAsync(p => p.Id == id)));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    public async Task SecondFactor_AfterPassword_IdTokenHasPasswordAndKey()
    {
        var user = fixture.NewUser();
        using var authenticator = await RegisteredAuthenticatorAsync(user);
        using var browser = _host.CreateBrowser();
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect);
        var login = await browser.AuthorizeAsync(request, (user, TestSeed.Password));
        Assert.Null(login.Code);

        var options = await PasskeyCalls.PostAsync(browser, "secondfactor/options", new JsonObject());
        Assert.True(options.Status == HttpStatusCode.OK, $"secondfactor/options at {login.Page.Uri}: {options}");
        var answer = await PasskeyCalls.PostAsync(browser, "secondfactor", authenticator.Assert(options.Json, Origin));
        var response = await browser.AuthorizeAsync(request);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.StartsWith("/connect/authorize", answer.Json.GetProperty("redirect").GetString(), StringComparison.Ordinal);
        Assert.Equal([System.Buffers.Text.Base64Url.EncodeToString(authenticator.CredentialId)],
            options.Json.GetProperty("allowCredentials").EnumerateArray().Select(item => item.GetProperty("id").GetString()).ToList());
        Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status}");
        var tokens = new TokenClient(_host.CreateProtocolClient());
        var redeemed = await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, response.Code!, request.CodeVerifier, TestSeed.TaxRedirect);
        var idToken = await Tokens.ValidateIdTokenAsync(_host.CreateProtocolClient(), _host.Issuer, redeemed["id_token"]!, TestSeed.TaxClient);
        var amr = idToken.GetPayloadValue<JsonElement>("amr").EnumerateArray().Select(value => value.GetString()).ToList();
        Assert.Contains("pwd", amr);
        Assert.Contains("hwk", amr);
        Assert.Contains("mfa", amr);
        Assert.Equal(AssuranceLevels.PhishingResistant, idToken.GetClaim("acr").Value);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task SecondFactor_AnotherUsersPasskey_RefusedAndNotSignedIn()
    {
        var user = fixture.NewUser();
        using var own = await RegisteredAuthenticatorAsync(user);
        using var foreign = await RegisteredAuthenticatorAsync(fixture.NewUser());
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync(user);
        var options = await PasskeyCalls.PostAsync(browser, "secondfactor/options", new JsonObject());
        var before = await CountsAsync();

        var answer = await PasskeyCalls.PostAsync(browser, "secondfactor", foreign.Assert(options.Json, Origin));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(before, await CountsAsync());
        Assert.Null(await SessionOfAsync(browser));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-10")]
    public async Task SecurityPage_RemoveFormOfOwnPasskey_Removed()
    {
        var user = fixture.NewUser();
        using var authenticator = await RegisteredAuthenticatorAsync(user);
        using var browser = _host.CreateBrowser();
        await SignInAsync(browser, authenticator);
        var id = await PasskeyIdAsync(authenticator);
        var page = await browser.NavigateAsync("/account/security");
        Assert.NotNull(page.Document.QuerySelector("#passkey-register"));
        Assert.Contains("Test key", page.Html, StringComparison.Ordinal);

        var after = await browser.SubmitAsync(page, new Dictionary<string, string>(), "remove", id.ToString(),
            which: form => form.GetAttribute("action") == $"/account/passkeys/{id}/remove");

        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.EndsWith("/account/security", after.Uri.AbsolutePath, StringComparison.Ordinal);
        Assert.False(await _host.WithDatabaseAsync(db => db.Passkeys.AnyAsync(p => p.Id == id)));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-09")]
    public async Task LoginPage_HasPasskeySignInButtonAndServedModule()
    {
        using var browser = _host.CreateBrowser();

        var page = await browser.NavigateAsync("/account/login?ReturnUrl=%2Faccount%2Fsecurity");
        var script = await browser.GetAsync("/js/passkeys.js");

        Assert.NotNull(page.Document.QuerySelector("button#passkey-signin"));
        Assert.Equal("/account/security", page.Document.QuerySelector("[data-passkey-ceremony=signin]")?.GetAttribute("data-return-url"));
        Assert.NotNull(page.Document.QuerySelector("script[type=module][src^='/js/passkeys.js']"));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("navigator.credentials.get", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /// <summary>Signs <paramref name="user"/> in with the password and registers a new passkey; returns its authenticator.</summary>
    private async Task<SoftwareAuthenticator> RegisteredAuthenticatorAsync(string user)
    {
        var authenticator = new SoftwareAuthenticator();
        using var browser = _host.CreateBrowser();
        var page = await browser.SignInAsync(user);
        var options = await PasskeyCalls.PostAsync(browser, "register/options", new JsonObject { ["name"] = "Test key" });
        Assert.True(options.Status == HttpStatusCode.OK, $"register/options after sign-in at {page.Uri}: {options}");
        var registered = await PasskeyCalls.PostAsync(browser, "register", authenticator.Register(options.Json, Origin));
        Assert.True(registered.Status == HttpStatusCode.Created, $"register: {registered}");
        return authenticator;
    }

    private static async Task<PasskeyAnswer> SignInAsync(BrowserClient browser, SoftwareAuthenticator authenticator,
        string origin = Origin, byte flags = SoftwareAuthenticator.UserPresent | SoftwareAuthenticator.UserVerified,
        string? rpId = null, uint? counter = null, string? returnUrl = null)
    {
        var options = await PasskeyCalls.PostAsync(browser, "signin/options", new JsonObject { ["returnUrl"] = returnUrl });
        Assert.True(options.Status == HttpStatusCode.OK, $"signin/options: {options}");
        return await PasskeyCalls.PostAsync(browser, "signin", authenticator.Assert(options.Json, origin, flags, rpId, counter));
    }

    private Task<Guid> PasskeyIdAsync(SoftwareAuthenticator authenticator) =>
        _host.WithDatabaseAsync(db => db.Passkeys.Where(p => p.CredentialId == authenticator.CredentialId).Select(p => p.Id).SingleAsync());

    private Task<(long Counter, DateTimeOffset? LastUsed)> PasskeyStateAsync(SoftwareAuthenticator authenticator) =>
        _host.WithDatabaseAsync(async db =>
        {
            var passkey = await db.Passkeys.AsNoTracking().SingleAsync(p => p.CredentialId == authenticator.CredentialId);
            return (passkey.SignatureCounter, passkey.LastUsedAt);
        });

    /// <summary>Row counts; the audit trail is left out unless asked (a refused ceremony is audited on purpose).</summary>
    private async Task<string> CountsAsync(bool includeAudit = false)
    {
        var counts = await _host.CountRowsAsync();
        return string.Join(", ", counts.Where(pair => includeAudit || pair.Key != "OnePassAuthEvents").Select(pair => $"{pair.Key}={pair.Value}"));
    }

    /// <summary>The browser's session as the account pages see it: null when it is not signed in.</summary>
    private static async Task<string?> SessionOfAsync(BrowserClient browser)
    {
        var page = await browser.NavigateAsync("/account/sessions");
        return page.StoppedAtRedirect || page.Status != HttpStatusCode.OK || page.Uri.AbsolutePath != "/account/sessions" ? null : page.Uri.ToString();
    }
}
