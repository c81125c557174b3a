using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Account;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.IdentityProvider.Features.Site;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Account;

/// <summary>
/// "Connected agencies" at /account/agencies (issue 6 item 3): the agencies the citizen consented to, with
/// the scopes granted and the last sign-in; "disconnect" revokes the consent and every token of that agency;
/// nothing of another citizen is ever listed or changed. Each test signs in a citizen of its own.
/// </summary>
public sealed class ConnectedAgenciesTests(ConnectedAgenciesHostFixture fixture) : IClassFixture<ConnectedAgenciesHostFixture>
{
    private const string PagePath = ConnectedAgenciesModel.PagePath;
    private const string TaxName = "National Tax Service";

    private readonly OnePassHost _host = fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-01")]
    public async Task Get_WhenNotSignedIn_RedirectsToLogin()
    {
        using var browser = _host.CreateBrowser();

        var response = await browser.GetAsync(PagePath);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = new Uri(_host.Issuer, response.Headers.Location!);
        Assert.Equal(SignInPaths.LoginPath, location.AbsolutePath);
        Assert.Equal(PagePath, QueryHelpers.ParseQuery(location.Query)["ReturnUrl"].ToString());
    }

    [Fact]
    public async Task Get_AfterConsentingAtTheTaxAgency_ListsItWithItsScopesAndLastSignIn()
    {
        using var browser = _host.CreateBrowser();
        await ConsentAtTaxAsync(browser, "agencies-list");

        var page = await browser.NavigateAsync(PagePath);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var agency = Assert.Single(page.Document.QuerySelectorAll("li.agency"));
        Assert.Equal(TaxName, agency.QuerySelector("h2")!.TextContent.Trim());
        var scopes = agency.QuerySelectorAll("ul.scopes li").Select(item => item.TextContent.Trim()).ToList();
        Assert.Contains(Texts.Get("scope.email"), scopes);
        Assert.Contains(Texts.Get("scope.profile"), scopes);
        Assert.Contains(Texts.Get("scope.offline_access"), scopes);
        Assert.NotNull(agency.QuerySelector(".last-sign-in time"));
        Assert.Equal(TestSeed.TaxClient, agency.QuerySelector("button[name=client]")!.GetAttribute("value"));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-07")]
    public async Task Disconnect_AfterConsent_RefreshTokenGetsInvalidGrant()
    {
        using var browser = _host.CreateBrowser();
        var tokens = await ConsentAtTaxAsync(browser, "agencies-revoke");
        var page = await browser.NavigateAsync(PagePath);

        var response = await PostDisconnectAsync(browser, page, TestSeed.TaxClient);
        var refresh = await Agency.Tax.RefreshAsync(_host, tokens["refresh_token"]!);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, refresh.Status);
        Assert.Equal("invalid_grant", refresh.Error);
        var after = await browser.NavigateAsync(PagePath);
        Assert.Empty(after.Document.QuerySelectorAll("li.agency"));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-07")]
    public async Task Disconnect_AfterConsent_NextAuthorizationRequestAsksForConsentAgain()
    {
        using var browser = _host.CreateBrowser();
        await ConsentAtTaxAsync(browser, "agencies-reconsent");
        var page = await browser.NavigateAsync(PagePath);
        await PostDisconnectAsync(browser, page, TestSeed.TaxClient);

        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Scope = Agency.Tax.Scope };
        var next = await browser.NavigateAsync(request.ToUrl(), uri => uri.ToString().StartsWith(TestSeed.TaxRedirect, StringComparison.Ordinal));

        Assert.False(next.StoppedAtRedirect);
        Assert.True(next.IsConsentPage);
    }

    [Theory]
    [InlineData(TestSeed.PublicClient)] // consented to by another citizen, never by this one
    [InlineData("no-such-agency")]
    [InlineData("")]
    [InlineData("AGENCY-TAX")]
    [InlineData("agency-tax' OR '1'='1")]
    public async Task Disconnect_WithAgencyTheUserNeverConsentedTo_ChangesNothing(string client)
    {
        using var victim = _host.CreateBrowser();
        var victimTokens = await ConsentAtAsync(victim, Agency.CitizenApp, "agencies-victim");
        using var browser = _host.CreateBrowser();
        var tokens = await ConsentAtTaxAsync(browser, "agencies-forger");
        var page = await browser.NavigateAsync(PagePath);
        var before = await _host.CountRowsAsync();

        var response = await PostDisconnectAsync(browser, page, client);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var answer = new BrowserPage(response.RequestMessage!.RequestUri!, response, await response.Content.ReadAsStringAsync()).Document
            .QuerySelector("p.message")?.TextContent.Trim();
        Assert.Equal(Texts.Get("agencies.notConnected"), answer);
        Assert.Equal(before, await _host.CountRowsAsync());
        Assert.Equal(HttpStatusCode.OK, (await Agency.Tax.RefreshAsync(_host, tokens["refresh_token"]!)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Agency.CitizenApp.RefreshAsync(_host, victimTokens["refresh_token"]!)).Status);
    }

    [Fact]
    public async Task Get_AfterAnotherCitizenConsented_ShowsNoneOfTheirAgencies()
    {
        using var other = _host.CreateBrowser();
        await ConsentAtTaxAsync(other, "agencies-other");
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync("agencies-empty");

        var page = await browser.NavigateAsync(PagePath);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Empty(page.Document.QuerySelectorAll("li.agency"));
        Assert.NotNull(page.Document.QuerySelector("p.no-agencies"));
        Assert.DoesNotContain(TaxName, page.Html, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-01")]
    public async Task Disconnect_WithoutAntiforgeryToken_Returns400AndKeepsTheConsent()
    {
        using var browser = _host.CreateBrowser();
        var tokens = await ConsentAtTaxAsync(browser, "agencies-csrf");

        var response = await browser.PostFormAsync(PagePath, [new("client", TestSeed.TaxClient)]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single((await browser.NavigateAsync(PagePath)).Document.QuerySelectorAll("li.agency"));
        Assert.Equal(HttpStatusCode.OK, (await Agency.Tax.RefreshAsync(_host, tokens["refresh_token"]!)).Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task Disconnect_WhileSignedInThroughTheAgency_QueuesBackChannelLogoutWithThatSessionsSidAndSub()
    {
        using var browser = _host.CreateBrowser();
        var idToken = Tokens.Read((await ConsentAtTaxAsync(browser, "agencies-bcl-sid"))["id_token"]!);
        var page = await browser.NavigateAsync(PagePath);

        await PostDisconnectAsync(browser, page, TestSeed.TaxClient);

        var row = Assert.Single(await NotificationsForAsync(idToken.Subject));
        Assert.Equal(TestSeed.TaxClient, row.ClientId);
        Assert.Equal(idToken.GetClaim("sid").Value, row.SessionId);
        Assert.Equal(ConnectedAgenciesHostFixture.TaxBackChannel, row.Uri);
        Assert.Equal(SingleLogout.AgencyDisconnectedReason, row.Reason);
    }

    [Fact]
    public async Task Disconnect_WhileSignedInThroughTheAgency_RemovesTheAgencyFromTheSession()
    {
        using var browser = _host.CreateBrowser();
        await ConsentAtTaxAsync(browser, "agencies-bcl-session");
        var page = await browser.NavigateAsync(PagePath);

        await PostDisconnectAsync(browser, page, TestSeed.TaxClient);
        var sessions = await browser.NavigateAsync(SessionsModel.PagePath);

        Assert.Equal(HttpStatusCode.OK, sessions.Status);
        Assert.Empty(sessions.Document.QuerySelectorAll("li.session ul.agencies li"));
        Assert.DoesNotContain(TaxName, sessions.Html, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task Disconnect_WithNoLiveSessionThroughTheAgency_QueuesOneLogoutWithSubAndNoSid()
    {
        string subject;
        using (var earlier = _host.CreateBrowser())
        {
            subject = Tokens.Read((await ConsentAtTaxAsync(earlier, "agencies-bcl-nosession"))["id_token"]!).Subject;
        }

        var userId = await _host.WithDatabaseAsync(db => db.Users.AsNoTracking().Where(u => u.UserName == "agencies-bcl-nosession").Select(u => u.Id).SingleAsync());
        await _host.Services.GetRequiredService<SsoSessionStore>().EndAllForUserAsync(userId, SessionEndReason.EndedByUser);
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync("agencies-bcl-nosession");
        var page = await browser.NavigateAsync(PagePath);

        await PostDisconnectAsync(browser, page, TestSeed.TaxClient);

        var row = Assert.Single(await NotificationsForAsync(subject));
        Assert.Equal(string.Empty, row.SessionId);
        var token = Tokens.Read(_host.Services.GetRequiredService<LogoutTokenFactory>().Create(row));
        Assert.Equal(row.Subject, token.Subject);
        Assert.False(token.TryGetPayloadValue<string>("sid", out _));
    }

    /// <summary>The outbox rows written by a disconnect of the tax agency for one subject.</summary>
    private Task<List<LogoutNotification>> NotificationsForAsync(string subject) =>
        _host.WithDatabaseAsync(db => db.LogoutNotifications.AsNoTracking()
            .Where(n => n.ClientId == TestSeed.TaxClient && n.Reason == SingleLogout.AgencyDisconnectedReason && n.Subject == subject)
            .ToListAsync());

    private Task<ProtocolResponse> ConsentAtTaxAsync(BrowserClient browser, string username) => ConsentAtAsync(browser, Agency.Tax, username);

    /// <summary>Signs in at the agency with this browser, consents, and redeems the code (the browser stays signed in).</summary>
    private async Task<ProtocolResponse> ConsentAtAsync(BrowserClient browser, Agency agency, string username)
    {
        var request = new AuthorizationRequest(agency.ClientId, agency.RedirectUri) { Scope = agency.Scope };
        var response = await browser.AuthorizeAsync(request, (username, TestSeed.Password));
        Assert.True(response.Code is not null, $"No code: {response.Page.Uri} {response.Page.Status}");
        var tokens = await new TokenClient(_host.CreateProtocolClient())
            .RedeemCodeAsync(agency.ClientId, agency.Secret, response.Code!, request.CodeVerifier, agency.RedirectUri);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        return tokens;
    }

    /// <summary>Submits the page's disconnect form (with its antiforgery token) for <paramref name="client"/>.</summary>
    private static Task<HttpResponseMessage> PostDisconnectAsync(BrowserClient browser, BrowserPage page, string client)
    {
        var form = page.Form(form => form.QuerySelector("button[name=client]") is not null);
        List<KeyValuePair<string, string>> fields = [.. form.Fields, new("client", client)];
        return browser.PostFormAsync(PagePath, fields);
    }
}

/// <summary>The default seed plus one citizen per test of <see cref="ConnectedAgenciesTests"/>.</summary>
public sealed class ConnectedAgenciesHostFixture : IDisposable
{
    public static readonly string[] Citizens =
    [
        "agencies-list", "agencies-revoke", "agencies-reconsent", "agencies-victim", "agencies-forger",
        "agencies-other", "agencies-empty", "agencies-csrf", "agencies-bcl-sid", "agencies-bcl-session", "agencies-bcl-nosession",
    ];

    /// <summary>The tax agency's back-channel logout URI: nothing listens there; the tests read the outbox.</summary>
    public const string TaxBackChannel = "http://127.0.0.1:7001/backchannel-logout";

    public OnePassHost Host { get; } = new(new OnePassHostOptions
    {
        ConfigureSeed = seed =>
        {
            seed["clients"]!.AsArray().Single(client => (string?)client!["clientId"] == TestSeed.TaxClient)!["backchannelLogoutUri"] = TaxBackChannel;
            foreach (var citizen in Citizens)
            {
                seed["users"]!.AsArray().Add(TestSeed.User(citizen, $"{citizen}@example.test", "Agency Tester"));
            }
        },
    });

    public void Dispose() => Host.Dispose();
}
