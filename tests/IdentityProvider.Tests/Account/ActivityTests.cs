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
/// "Recent activity" at /account/activity (issue 6 item 3): the citizen's own sign-in history, newest first
/// and paged, and "this wasn't me", which ends every session and asks for a new password. Nothing of another
/// citizen is ever listed, whatever the query string says. Each test signs in a citizen of its own.
/// </summary>
public sealed class ActivityTests(ActivityHostFixture fixture) : IClassFixture<ActivityHostFixture>
{
    private const string PagePath = ActivityModel.PagePath;
    private const string Firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";

    private readonly OnePassHost _host = fixture.Host;

    [Fact]
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
    public async Task Get_AfterPasswordSignIn_ListsItWithMethodDeviceAgencyAndOutcomeInWords()
    {
        using var browser = _host.CreateBrowser();
        browser.Http.DefaultRequestHeaders.UserAgent.ParseAdd(Firefox);
        await browser.SignInAsync("activity-list");

        var page = await browser.NavigateAsync(PagePath);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var item = Assert.Single(page.Document.QuerySelectorAll("ol.activity li.event"));
        Assert.Equal(Texts.Get("activity.outcome.success"), item.QuerySelector(".outcome strong")!.TextContent.Trim());
        Assert.Equal("true", item.QuerySelector(".outcome-sign")!.GetAttribute("aria-hidden"));
        Assert.Equal(Texts.Get("activity.method.password"), item.QuerySelector("dd.method")!.TextContent.Trim());
        Assert.Equal(Texts.Get("activity.onePass"), item.QuerySelector("dd.agency")!.TextContent.Trim());
        Assert.Equal(UserAgentDescription.Describe(Firefox), item.QuerySelector("dd.device")!.TextContent.Trim());
        Assert.NotNull(item.QuerySelector("dd.ip"));
        Assert.NotNull(item.QuerySelector("time.time[datetime]"));
    }

    [Fact]
    public async Task Get_AfterWrongPassword_ListsTheFailureInWordsNewestFirst()
    {
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync("activity-failure", "not the password at all");
        await browser.SignInAsync("activity-failure");

        var page = await browser.NavigateAsync(PagePath);

        var items = page.Document.QuerySelectorAll("ol.activity li.event");
        Assert.Equal(2, items.Length);
        Assert.Equal(Texts.Get("activity.outcome.success"), items[0].QuerySelector(".outcome strong")!.TextContent.Trim());
        Assert.Equal(Texts.Get("activity.outcome.failure"), items[1].QuerySelector(".outcome strong")!.TextContent.Trim());
        Assert.Contains("failure", items[1].ClassList);
    }

    [Fact]
    public async Task Get_AfterAgencySignIn_NamesTheAgencyAndSingleSignOn()
    {
        using var browser = _host.CreateBrowser();
        await AuthorizeAsync(browser, Agency.Tax, "activity-agency");
        await AuthorizeAsync(browser, Agency.Tax, null); // the same session: single sign-on, no password

        var page = await browser.NavigateAsync(PagePath);

        var items = page.Document.QuerySelectorAll("ol.activity li.event");
        Assert.Equal(2, items.Length);
        Assert.All(items, item => Assert.Equal("National Tax Service", item.QuerySelector("dd.agency")!.TextContent.Trim()));
        Assert.Equal(Texts.Get("activity.method.sso"), items[0].QuerySelector("dd.method")!.TextContent.Trim());
        Assert.Equal(Texts.Get("activity.method.password"), items[1].QuerySelector("dd.method")!.TextContent.Trim());
    }

    [Fact]
    public async Task Get_EventNamingAnUnregisteredClientId_ShowsNeutralTextNeverTheId()
    {
        const string Forged = "Call-0800-000-000-to-unlock";
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync("activity-forged");
        await AddEventsAsync("activity-forged", 1, clientId: Forged);

        var page = await browser.NavigateAsync(PagePath);

        var agencies = page.Document.QuerySelectorAll("ol.activity li.event dd.agency").Select(agency => agency.TextContent.Trim()).ToList();
        Assert.Equal([Texts.Get("activity.onePass"), Texts.Get("activity.unknownAgency")], agencies); // the sign-in, then the forged event
        Assert.DoesNotContain(Forged, page.Html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?userId={0}")]
    [InlineData("?user={0}")]
    [InlineData("?id={0}")]
    [InlineData("?sub={0}")]
    [InlineData("?handler=&userId={0}")]
    public async Task Get_WithAnotherCitizensIdInTheQuery_ListsOnlyOwnEvents(string query)
    {
        var victim = await UserIdAsync("activity-victim");
        await AddEventsAsync("activity-victim", 3, clientId: TestSeed.HealthClient);
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync("activity-snoop");

        var page = await browser.NavigateAsync(PagePath + string.Format(System.Globalization.CultureInfo.InvariantCulture, query, victim));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var items = page.Document.QuerySelectorAll("ol.activity li.event");
        Assert.Equal(await OwnEventCountAsync("activity-snoop"), items.Length);
        Assert.DoesNotContain(items, item => item.QuerySelector("dd.agency")!.TextContent.Trim() == "National Health Insurance");
    }

    [Fact]
    public async Task Get_With120Events_ShowsFiftyPerPageNewestFirstWithLinksBothWays()
    {
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync("activity-pages");
        await AddEventsAsync("activity-pages", 120);
        var total = await OwnEventCountAsync("activity-pages");

        var first = await browser.NavigateAsync(PagePath);
        var second = await browser.NavigateAsync(PagePath + "?page=2");
        var last = await browser.NavigateAsync(PagePath + "?page=3");

        Assert.Equal(ActivityModel.PageSize, first.Document.QuerySelectorAll("li.event").Length);
        Assert.Null(first.Document.QuerySelector("a#newer"));
        Assert.Equal(PagePath + "?page=2", first.Document.QuerySelector("a#older")!.GetAttribute("href"));
        Assert.Equal(ActivityModel.PageSize, second.Document.QuerySelectorAll("li.event").Length);
        Assert.Equal(PagePath + "?page=1", second.Document.QuerySelector("a#newer")!.GetAttribute("href"));
        Assert.Equal(total - (2 * ActivityModel.PageSize), last.Document.QuerySelectorAll("li.event").Length);
        Assert.Null(last.Document.QuerySelector("a#older"));
        var times = first.Document.QuerySelectorAll("time.time").Select(time => DateTimeOffset.Parse(time.GetAttribute("datetime")!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.OrderByDescending(time => time), times);
    }

    [Fact]
    public async Task Get_PageBeyondTheLast_AnswersEmptyPageWithLinkBack()
    {
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync("activity-beyond");

        var page = await browser.NavigateAsync(PagePath + "?page=7");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Empty(page.Document.QuerySelectorAll("li.event"));
        Assert.Equal(Texts.Get("activity.noneOnPage"), page.Document.QuerySelector("p.no-activity")!.TextContent.Trim());
        Assert.Equal(PagePath + "?page=6", page.Document.QuerySelector("a#newer")!.GetAttribute("href"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("%202")]
    [InlineData("1001")]
    [InlineData("99999999999999999999")]
    [InlineData("%00")]
    [InlineData("&page=2")]
    [InlineData("2&page=3")]
    public async Task Get_WithMalformedPage_Returns400WithMessageAndTheFirstPage(string value)
    {
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync("activity-badpage");
        var before = await _host.CountRowsAsync();

        var response = await browser.GetAsync(PagePath + "?page=" + value);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = new BrowserPage(response.RequestMessage!.RequestUri!, response, await response.Content.ReadAsStringAsync());
        Assert.Equal(Texts.Get("activity.badPage"), page.Document.QuerySelector("#activity-error")!.TextContent.Trim());
        Assert.NotEmpty(page.Document.QuerySelectorAll("li.event"));
        Assert.Equal(before, await _host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-28")]
    public async Task Get_ActivityPage_SendsNoReferrer()
    {
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync("activity-headers");

        var response = await browser.GetAsync(PagePath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task NotMe_EndsEverySessionOfTheCitizenIncludingThisOne()
    {
        using var browser = _host.CreateBrowser();
        using var otherDevice = _host.CreateBrowser();
        await browser.SignInAsync("activity-notme");
        await otherDevice.SignInAsync("activity-notme");
        using var oldCookie = _host.CreateBrowser();
        oldCookie.Cookies.Add(browser.Cookies.GetAllCookies());

        var response = await PostNotMeAsync(browser);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(ActivityModel.ReportedPath, response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await oldCookie.GetAsync(PagePath)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await otherDevice.GetAsync(PagePath)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync(PagePath)).StatusCode);
        var userId = await UserIdAsync("activity-notme");
        Assert.Empty(await _host.Services.GetRequiredService<SsoSessionStore>().ListForUserAsync(userId));
    }

    [Fact]
    public async Task NotMe_AfterwardsShowsThePageAskingForAPasswordChange()
    {
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync("activity-reported");

        var page = await browser.FollowAsync(await PostNotMeAsync(browser));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal(ActivityModel.ReportedPath, page.Uri.AbsolutePath);
        Assert.Equal(Texts.Get("activity.reported"), page.Document.QuerySelector("#activity-reported")!.TextContent.Trim());
        var link = new Uri(_host.Issuer, page.Document.QuerySelector("a#change-password")!.GetAttribute("href")!);
        Assert.Equal(SignInPaths.LoginPath, link.AbsolutePath);
        Assert.Equal("/account/password", QueryHelpers.ParseQuery(link.Query)["ReturnUrl"].ToString());
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-07")]
    public async Task NotMe_AfterConsent_RefreshTokenGetsInvalidGrant()
    {
        using var browser = _host.CreateBrowser();
        var tokens = await AuthorizeAsync(browser, Agency.Tax, "activity-refresh");

        await PostNotMeAsync(browser);
        var refresh = await Agency.Tax.RefreshAsync(_host, tokens["refresh_token"]!);

        Assert.Equal(HttpStatusCode.BadRequest, refresh.Status);
        Assert.Equal("invalid_grant", refresh.Error);
    }

    [Fact]
    public async Task NotMe_RecordsTheReportInTheAuditTrail()
    {
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync("activity-audit");
        var userId = await UserIdAsync("activity-audit");

        await PostNotMeAsync(browser);

        var reports = await _host.WithDatabaseAsync(db => db.AuthEvents.AsNoTracking()
            .CountAsync(e => e.UserId == userId && e.Method == ActivityModel.ReportMethod && e.Outcome == ActivityModel.ReportOutcome));
        Assert.Equal(1, reports);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-01")]
    public async Task NotMe_WithoutAntiforgeryToken_Returns400AndKeepsTheSession()
    {
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync("activity-csrf");
        var before = await _host.CountRowsAsync();

        var response = await browser.PostFormAsync(PagePath, []);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(PagePath)).StatusCode);
        Assert.Equal(before, await _host.CountRowsAsync());
    }

    [Fact]
    public async Task NotMe_WhenNotSignedIn_ChangesNothing()
    {
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync("activity-anonymous");
        var page = await browser.NavigateAsync(PagePath);
        var form = page.Form(form => form.ClassList.Contains("not-me"));
        using var stranger = _host.CreateBrowser();
        var before = await _host.CountRowsAsync();

        var response = await stranger.PostFormAsync(PagePath, form.Fields);

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Redirect, $"{response.StatusCode}");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(PagePath)).StatusCode);
        Assert.Equal(before, await _host.CountRowsAsync());
    }

    private static async Task<HttpResponseMessage> PostNotMeAsync(BrowserClient browser)
    {
        var page = await browser.NavigateAsync(PagePath);
        var form = page.Form(form => form.ClassList.Contains("not-me"));
        return await browser.PostFormAsync(PagePath, form.Fields);
    }

    /// <summary>Signs in at the agency with this browser (consenting if asked) and redeems the code.</summary>
    private async Task<ProtocolResponse> AuthorizeAsync(BrowserClient browser, Agency agency, string? username)
    {
        var request = new AuthorizationRequest(agency.ClientId, agency.RedirectUri) { Scope = agency.Scope };
        var response = await browser.AuthorizeAsync(request, username is null ? null : (username, TestSeed.Password));
        Assert.True(response.Code is not null, $"No code: {response.Page.Uri} {response.Page.Status}");
        var tokens = await new TokenClient(_host.CreateProtocolClient())
            .RedeemCodeAsync(agency.ClientId, agency.Secret, response.Code!, request.CodeVerifier, agency.RedirectUri);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        return tokens;
    }

    private Task<Guid> UserIdAsync(string username) =>
        _host.WithDatabaseAsync(db => db.Users.AsNoTracking().Where(user => user.UserName == username).Select(user => user.Id).SingleAsync());

    private async Task<int> OwnEventCountAsync(string username)
    {
        var userId = await UserIdAsync(username);
        return await _host.WithDatabaseAsync(db => db.AuthEvents.AsNoTracking().CountAsync(e => e.UserId == userId));
    }

    /// <summary>Password sign-ins an hour ago and earlier, one a minute, as the audit would have written them.</summary>
    private async Task AddEventsAsync(string username, int count, string? clientId = null)
    {
        var userId = await UserIdAsync(username);
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        await _host.WithDatabaseAsync(async db =>
        {
            for (var i = 0; i < count; i++)
            {
                db.AuthEvents.Add(new AuthEvent
                {
                    Id = Guid.NewGuid(),
                    Time = start.AddMinutes(-i),
                    UserId = userId,
                    Method = "pwd",
                    Outcome = i % 3 == 0 ? "failure" : "success",
                    ClientId = clientId,
                    IpAddress = "192.0.2.10",
                    UserAgent = Firefox,
                });
            }

            return await db.SaveChangesAsync();
        });
    }
}

/// <summary>The default seed plus one citizen per test of <see cref="ActivityTests"/>.</summary>
public sealed class ActivityHostFixture : IDisposable
{
    public static readonly string[] Citizens =
    [
        "activity-list", "activity-failure", "activity-agency", "activity-forged", "activity-victim", "activity-snoop",
        "activity-pages", "activity-beyond", "activity-badpage", "activity-headers", "activity-notme", "activity-reported",
        "activity-refresh", "activity-audit", "activity-csrf", "activity-anonymous",
    ];

    public OnePassHost Host { get; } = new(new OnePassHostOptions
    {
        ConfigureSeed = seed =>
        {
            foreach (var citizen in Citizens)
            {
                seed["users"]!.AsArray().Add(TestSeed.User(citizen, $"{citizen}@example.test", "Activity Tester"));
            }
        },
    });

    public void Dispose() => Host.Dispose();
}
