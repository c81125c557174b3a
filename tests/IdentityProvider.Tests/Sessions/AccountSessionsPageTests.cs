using System.Globalization;
using System.Net;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Account;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Sessions;

/// <summary>
/// "Where you're signed in" at /account/sessions (issue 3 item 1), through real browsers on both session
/// backings: the list, "sign out" of another session, "sign out everywhere else", and that nothing but
/// the citizen's own other sessions can ever be ended from it (guessed, foreign or malformed ids, CSRF).
/// Each test signs in a citizen of its own, so the tests of a class can share one host.
/// </summary>
public abstract class AccountSessionsPageTests(OnePassHost host)
{
    public const string FirefoxOnWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
    public const string SafariOnIPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    public const string ChromeOnAndroid = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36";

    /// <summary>An agency whose display name is markup: it must be shown as text (CATALOGUE AT-24).</summary>
    public const string MarkupClient = "agency-markup";
    public const string MarkupName = "<script>alert('x')</script> & <b>Co</b>";
    public const string MarkupRedirect = "http://127.0.0.1:7009/signin-oidc";

    /// <summary>One citizen per test (seeded by the fixtures).</summary>
    public static readonly string[] Citizens =
    [
        "sessions-list", "sessions-end-one", "sessions-end-others", "sessions-attacker", "sessions-victim",
        "sessions-self", "sessions-malformed", "sessions-csrf", "sessions-markup", "sessions-empty",
    ];

    private const string PagePath = "/account/sessions";

    protected OnePassHost Host { get; } = host;

    [Fact]
    public async Task Get_WhenNotSignedIn_RedirectsToLoginWithLocalReturnUrl()
    {
        using var browser = Host.CreateBrowser();

        var response = await browser.GetAsync(PagePath);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = new Uri(Host.Issuer, response.Headers.Location!);
        Assert.Equal(Host.Issuer.Authority, location.Authority);
        Assert.Equal(SignInPaths.LoginPath, location.AbsolutePath);
        Assert.Equal(PagePath, QueryHelpers.ParseQuery(location.Query)["ReturnUrl"].ToString());
    }

    [Fact]
    public async Task Get_WhenNotSignedIn_LeadsBackToTheListAfterSigningIn()
    {
        using var browser = Host.CreateBrowser();
        var login = await browser.NavigateAsync(PagePath);

        var page = await browser.SubmitAsync(login, new Dictionary<string, string>
        {
            ["username"] = "sessions-empty",
            ["password"] = TestSeed.Password,
        });

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal(PagePath, page.Uri.AbsolutePath);
        Assert.Single(page.Document.QuerySelectorAll("li.session"));
        Assert.Null(page.Document.QuerySelector("button[name=others]")); // nothing else to sign out
    }

    [Fact]
    public async Task Get_WithTwoBrowsersSignedIn_ListsBothAndMarksThisDevice()
    {
        using var laptop = await SignedInAsync("sessions-list", FirefoxOnWindows);
        using var phone = await SignedInAsync("sessions-list", SafariOnIPhone);

        var page = await laptop.NavigateAsync(PagePath);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var sessions = page.Document.QuerySelectorAll("li.session");
        Assert.Equal(2, sessions.Length);
        var current = Assert.Single(sessions, session => session.QuerySelector(".this-device") is not null);
        var other = Assert.Single(sessions, session => session.QuerySelector(".this-device") is null);
        Assert.Equal("Firefox on Windows", current.QuerySelector("h2")!.TextContent.Trim());
        Assert.Equal("Safari on iPhone", other.QuerySelector("h2")!.TextContent.Trim());
        Assert.All(sessions, session => Assert.Contains("National Tax Service", Agencies(session)));
        Assert.All(sessions.SelectMany(session => session.QuerySelectorAll("time")), time =>
            Assert.True(DateTimeOffset.TryParseExact(time.GetAttribute("datetime"), "yyyy-MM-dd'T'HH:mm:ss'Z'",
                CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _), time.OuterHtml));
        Assert.Null(current.QuerySelector("button[name=session]")); // this device signs out at /connect/endsession
        Assert.NotNull(other.QuerySelector("button[name=session]"));
        Assert.NotNull(page.Document.QuerySelector("button[name=others]"));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-24")]
    public async Task Get_ShowsAgencyDisplayNamesAsText()
    {
        using var browser = Host.CreateBrowser();
        var request = new AuthorizationRequest(MarkupClient, MarkupRedirect) { Scope = "openid" };
        Assert.NotNull((await browser.AuthorizeAsync(request, ("sessions-markup", TestSeed.Password))).Code);

        var page = await browser.NavigateAsync(PagePath);

        Assert.DoesNotContain("<script>alert", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>Co", page.Html, StringComparison.Ordinal);
        Assert.Contains(MarkupName, Agencies(page.Document.QuerySelector("li.session")!));
    }

    [Fact]
    public async Task SignOut_OfTheOtherSession_EndsItAndKeepsThisOne()
    {
        using var laptop = await SignedInAsync("sessions-end-one", FirefoxOnWindows);
        using var phone = await SignedInAsync("sessions-end-one", ChromeOnAndroid);
        var page = await laptop.NavigateAsync(PagePath);
        var otherId = page.Document.QuerySelector("button[name=session]")!.GetAttribute("value")!;

        var response = await PostAsync(laptop, page, "session", otherId);

        AssertSeeOtherToThePage(response);
        Assert.False(await HasSessionAsync(phone));
        Assert.True(await HasSessionAsync(laptop));
        var after = await laptop.NavigateAsync(PagePath);
        Assert.Single(after.Document.QuerySelectorAll("li.session"));
    }

    [Fact]
    public async Task SignOutEverywhereElse_EndsEveryOtherSessionAndKeepsThisOne()
    {
        using var laptop = await SignedInAsync("sessions-end-others", FirefoxOnWindows);
        using var phone = await SignedInAsync("sessions-end-others", SafariOnIPhone);
        using var tablet = await SignedInAsync("sessions-end-others", ChromeOnAndroid);
        var page = await laptop.NavigateAsync(PagePath);

        var response = await PostAsync(laptop, page, "others", "yes");

        AssertSeeOtherToThePage(response);
        Assert.False(await HasSessionAsync(phone));
        Assert.False(await HasSessionAsync(tablet));
        Assert.True(await HasSessionAsync(laptop));
        Assert.Single(await SessionsOfAsync("sessions-end-others"));
    }

    [Fact]
    public async Task SignOut_WithAnotherUsersSessionId_EndsNothing()
    {
        using var victim = await SignedInAsync("sessions-victim", SafariOnIPhone);
        using var attacker = await SignedInAsync("sessions-attacker", FirefoxOnWindows);
        using var attackersPhone = await SignedInAsync("sessions-attacker", ChromeOnAndroid); // so the page has a form to post
        var victimSession = Assert.Single(await SessionsOfAsync("sessions-victim")).Id; // as if guessed
        var page = await attacker.NavigateAsync(PagePath);
        var rows = await Host.CountRowsAsync();

        var response = await PostAsync(attacker, page, "session", victimSession);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode); // the same answer as for an own session: no oracle
        Assert.Equal(rows, await Host.CountRowsAsync()); // no logout notification queued for the victim's agencies
        Assert.Equal(victimSession, Assert.Single(await SessionsOfAsync("sessions-victim")).Id);
        Assert.True(await HasSessionAsync(victim));
    }

    [Fact]
    public async Task SignOut_WithThisDevicesOwnSessionId_DoesNotEndIt()
    {
        using var browser = await SignedInAsync("sessions-self", FirefoxOnWindows);
        using var phone = await SignedInAsync("sessions-self", ChromeOnAndroid); // so the page has a form to post
        var own = Assert.Single(await SessionsOfAsync("sessions-self"), session => session.UserAgent == FirefoxOnWindows).Id;
        var page = await browser.NavigateAsync(PagePath);

        var response = await PostAsync(browser, page, "session", own);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.True(await HasSessionAsync(browser));
    }

    [Theory]
    [InlineData("x:agencies")]
    [InlineData("{other}:agencies")]
    [InlineData("{other}*")]
    [InlineData("")]
    [InlineData("10KB")]
    public async Task SignOut_WithMalformedSessionId_AnswersCleanlyAndEndsNothing(string id)
    {
        using var laptop = await SignedInAsync("sessions-malformed", FirefoxOnWindows);
        using var phone = await SignedInAsync("sessions-malformed", SafariOnIPhone);
        var page = await laptop.NavigateAsync(PagePath);
        var otherId = page.Document.QuerySelector("button[name=session]")!.GetAttribute("value")!;
        var value = id == "10KB" ? new string('A', 10 * 1024) : id.Replace("{other}", otherId, StringComparison.Ordinal);
        var before = await SessionsOfAsync("sessions-malformed");
        var rows = await Host.CountRowsAsync();

        var response = await PostAsync(laptop, page, "session", value);

        Assert.True(response.StatusCode == HttpStatusCode.SeeOther || (int)response.StatusCode is >= 400 and < 500, response.StatusCode.ToString());
        Assert.Equal(rows, await Host.CountRowsAsync());
        Assert.Equal(before.Select(s => s.Id).Order(), (await SessionsOfAsync("sessions-malformed")).Select(s => s.Id).Order());
        Assert.True(await HasSessionAsync(phone));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-01")]
    public async Task SignOut_WithoutAntiforgeryToken_Returns400AndEndsNothing()
    {
        using var laptop = await SignedInAsync("sessions-csrf", FirefoxOnWindows);
        using var phone = await SignedInAsync("sessions-csrf", SafariOnIPhone);
        var page = await laptop.NavigateAsync(PagePath); // the antiforgery cookie is set; the form token is left out
        var otherId = page.Document.QuerySelector("button[name=session]")!.GetAttribute("value")!;

        var one = await laptop.PostFormAsync(PagePath, [new("session", otherId)]);
        var all = await laptop.PostFormAsync(PagePath, [new("others", "yes")]);

        Assert.Equal(HttpStatusCode.BadRequest, one.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, all.StatusCode);
        Assert.True(await HasSessionAsync(phone));
        Assert.Equal(2, (await SessionsOfAsync("sessions-csrf")).Count);
    }

    // --- helpers ---------------------------------------------------------------------------------

    /// <summary>A new browser with the given User-Agent, signed in as the citizen through the tax agency.</summary>
    private async Task<BrowserClient> SignedInAsync(string username, string userAgent)
    {
        var browser = Host.CreateBrowser();
        browser.Http.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", userAgent);
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Scope = "openid" };
        var response = await browser.AuthorizeAsync(request, (username, TestSeed.Password));
        Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status}");
        return browser;
    }

    /// <summary>True when a prompt=none request through the health agency yields a code (a live SSO session).</summary>
    private static async Task<bool> HasSessionAsync(BrowserClient browser)
    {
        var request = new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect) { Extra = new() { ["prompt"] = "none" } };
        return (await browser.AuthorizeAsync(request)).Code is not null;
    }

    /// <summary>Submits the page's form that holds the named button, as a browser would (with its antiforgery token).</summary>
    private static Task<HttpResponseMessage> PostAsync(BrowserClient browser, BrowserPage page, string button, string value)
    {
        var form = page.Form(form => form.QuerySelector($"button[name={button}]") is not null);
        List<KeyValuePair<string, string>> fields = [.. form.Fields, new(button, value)];
        return browser.PostFormAsync(string.IsNullOrEmpty(form.Action) ? page.Uri.ToString() : new Uri(page.Uri, form.Action).ToString(), fields);
    }

    private static void AssertSeeOtherToThePage(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(PagePath, response.Headers.Location!.OriginalString);
    }

    private static List<string> Agencies(IElement session) =>
        [.. session.QuerySelectorAll("ul.agencies li").Select(item => item.TextContent.Trim())];

    private async Task<IReadOnlyList<SessionRecord>> SessionsOfAsync(string username)
    {
        IReadOnlyList<SessionRecord> sessions = [];
        await Host.WithServicesAsync(async services =>
        {
            var user = await services.GetRequiredService<UserManager<OnePassUser>>().FindByNameAsync(username);
            sessions = await services.GetRequiredService<SsoSessionStore>().ListForUserAsync(user!.Id);
        });
        return sessions;
    }

    /// <summary>The default seed plus this class's citizens and an agency with a markup display name.</summary>
    public static OnePassHostOptions HostOptions(string? redis = null, string? prefix = null)
    {
        var options = new OnePassHostOptions
        {
            RedisConnectionString = redis,
            ConfigureSeed = seed =>
            {
                foreach (var citizen in Citizens)
                {
                    seed["users"]!.AsArray().Add(TestSeed.User(citizen, $"{citizen}@example.test", "Session Tester"));
                }

                seed["clients"]!.AsArray().Add(TestSeed.Client(MarkupClient, "markup-secret-0123456789-0123456789-abc", MarkupName,
                    [MarkupRedirect], [], "implicit", ["authorization_code"], ["openid"]));
            },
        };
        if (prefix is not null)
        {
            options.Settings["OnePass:Sessions:RedisKeyPrefix"] = prefix;
        }

        return options;
    }
}

public sealed class InProcessAccountSessionsPageTests(InProcessAccountSessionsHostFixture fixture)
    : AccountSessionsPageTests(fixture.Host), IClassFixture<InProcessAccountSessionsHostFixture>;

public sealed class RedisAccountSessionsPageTests(RedisAccountSessionsHostFixture fixture)
    : AccountSessionsPageTests(fixture.Host), IClassFixture<RedisAccountSessionsHostFixture>;

public sealed class InProcessAccountSessionsHostFixture : IDisposable
{
    public OnePassHost Host { get; } = new(AccountSessionsPageTests.HostOptions());

    public void Dispose() => Host.Dispose();
}

public sealed class RedisAccountSessionsHostFixture : IDisposable
{
    public OnePassHost Host { get; } = new(AccountSessionsPageTests.HostOptions(TestServices.RedisConnectionString, $"test:{Guid.NewGuid():N}:"));

    public void Dispose() => Host.Dispose();
}

/// <summary>The short device description from the User-Agent header: simple rules, never the raw header.</summary>
public sealed class AccountSessionsPageDeviceTests
{
    [Theory]
    [InlineData(AccountSessionsPageTests.FirefoxOnWindows, "Firefox on Windows")]
    [InlineData(AccountSessionsPageTests.SafariOnIPhone, "Safari on iPhone")]
    [InlineData(AccountSessionsPageTests.ChromeOnAndroid, "Chrome on Android")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge on Windows")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari on macOS")]
    [InlineData("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1", "Chrome on iPad")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux")]
    [InlineData("curl/8.5.0", "Unknown browser")]
    [InlineData("<script>alert(1)</script>", "Unknown browser")]
    [InlineData("", "Unknown browser")]
    [InlineData(null, "Unknown browser")]
    public void Describe_UserAgent_GivesAShortDescription(string? userAgent, string expected)
    {
        var culture = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en");
        try
        {
            Assert.Equal(expected, UserAgentDescription.Describe(userAgent));
        }
        finally
        {
            CultureInfo.CurrentUICulture = culture;
        }
    }
}
