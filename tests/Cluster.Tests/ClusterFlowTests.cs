using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using OnePass.Cluster.Tests.Kit;
using OnePass.TestKit;
using Xunit.Abstractions;

namespace OnePass.Cluster.Tests;

/// <summary>
/// Two real identity-provider processes on one database and one Redis behave as one provider
/// (CONTRACT §2): a session begun on one node is honoured by the other, a flow begun on one finishes
/// on the other, and a sign-out on one ends the session everywhere.
/// </summary>
public sealed class ClusterFlowTests(TwoNodeFixture fixture, ITestOutputHelper output) : IClassFixture<TwoNodeFixture>, IDisposable
{
    private readonly NodeLogs _logs = new(output, fixture.Cluster);

    public void Dispose() => _logs.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "FT-08")]
    public async Task SignIn_OnNodeA_SignsIntoSecondAgencyOnNodeBWithoutPassword()
    {
        using var browser = new ClusterBrowser(fixture.A);
        var tax = await ClusterFlows.SignInAsync(browser, Agency.Tax);

        browser.Node = fixture.B;
        var request = ClusterFlows.Request(Agency.Health);
        var response = await browser.AuthorizeAsync(request, credentials: null);

        Assert.True(response.Code is not null, $"node B asked again: {response.Page.Uri} {response.Page.Status}");
        var health = await ClusterFlows.RedeemAsync(fixture.B, Agency.Health, request, response.Code!);
        Assert.Equal(HttpStatusCode.OK, health.Status);
        using var jwksFromA = fixture.A.CreateProtocolClient();
        var healthIdToken = await Tokens.ValidateIdTokenAsync(jwksFromA, fixture.Cluster.Issuer, health["id_token"]!, TestSeed.HealthClient);
        Assert.NotEqual(Tokens.Read(tax["id_token"]!).Subject, healthIdToken.Subject); // pairwise: another sector, another sub
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-08")]
    public async Task PasswordPage_ServedByNodeA_IsAcceptedByNodeB()
    {
        using var browser = new ClusterBrowser(fixture.A);
        var request = ClusterFlows.Request(Agency.Tax) with { Extra = new() { ["prompt"] = "consent" } };
        var loginPage = await browser.BeginAsync(request);
        Assert.True(loginPage.IsLoginPage, $"{loginPage.Uri} {loginPage.Status}");

        browser.Node = fixture.B; // the POST (with node A's antiforgery token) and the consent land on B
        var consentPage = await browser.SubmitPasswordAsync(loginPage, request);
        Assert.True(consentPage.IsConsentPage, $"{consentPage.Uri} {consentPage.Status}");
        var response = await browser.ContinueAsync(await browser.ConsentAsync(consentPage, request), request);

        Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status}");
        var tokens = await ClusterFlows.RedeemAsync(fixture.A, Agency.Tax, request, response.Code!);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-08")]
    public async Task PasswordPage_WhenItsNodeIsKilledBeforeThePost_FlowCompletesOnAnotherNode()
    {
        await using var doomed = await fixture.Cluster.StartNodeAsync("C");
        using var browser = new ClusterBrowser(doomed);
        var request = ClusterFlows.Request(Agency.Tax);
        var loginPage = await browser.BeginAsync(request);
        Assert.True(loginPage.IsLoginPage, $"{loginPage.Uri} {loginPage.Status}");

        await doomed.KillAsync();
        browser.Node = fixture.B;
        var response = await browser.ContinueAsync(await browser.SubmitPasswordAsync(loginPage, request), request);

        Assert.True(doomed.HasExited);
        Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status}");
        var tokens = await ClusterFlows.RedeemAsync(fixture.B, Agency.Tax, request, response.Code!);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-08")]
    public async Task ConsentPage_WhenItsNodeIsKilledBeforeThePost_FlowCompletesOnAnotherNode()
    {
        await using var doomed = await fixture.Cluster.StartNodeAsync("C");
        using var browser = new ClusterBrowser(doomed);
        var request = ClusterFlows.Request(Agency.Tax) with { Extra = new() { ["prompt"] = "consent" } };
        var consentPage = await browser.SubmitPasswordAsync(await browser.BeginAsync(request), request);
        Assert.True(consentPage.IsConsentPage, $"{consentPage.Uri} {consentPage.Status}");

        await doomed.KillAsync();
        browser.Node = fixture.B; // the consent POST (with node C's antiforgery token and session cookie) lands on B
        var response = await browser.ContinueAsync(await browser.ConsentAsync(consentPage, request), request);

        Assert.True(doomed.HasExited);
        Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status}");
        var tokens = await ClusterFlows.RedeemAsync(fixture.B, Agency.Tax, request, response.Code!);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
    }

    /// <summary>
    /// The token request reaches node C, which is killed before it answers (paused first, so the request is
    /// surely in flight on it). The agency's retry on B gets the tokens; the code then gives nothing more:
    /// one code, one token set.
    /// </summary>
    [Fact]
    [Trait(Catalogue.Row, "FT-08")]
    [Trait(Catalogue.Row, "FT-09")]
    public async Task TokenRequest_InFlightOnAKilledNode_RetryOnAnotherNodeGivesTheOnlyTokenSet()
    {
        await using var doomed = await fixture.Cluster.StartNodeAsync("C");
        using var browser = new ClusterBrowser(fixture.B);
        var request = ClusterFlows.Request(Agency.Tax);
        var response = await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password));
        Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status}");

        doomed.Pause();
        var inFlight = Record.ExceptionAsync(() => ClusterFlows.RedeemAsync(doomed, Agency.Tax, request, response.Code!));
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // the request is sent and waits in the paused node
        await doomed.KillAsync();
        var lost = await inFlight.WaitAsync(TimeSpan.FromSeconds(30));
        var retry = await ClusterFlows.RedeemAsync(fixture.B, Agency.Tax, request, response.Code!);
        var again = await ClusterFlows.RedeemAsync(fixture.A, Agency.Tax, request, response.Code!);

        Assert.True(lost is HttpRequestException, $"the request on the killed node did not fail as a lost connection: {lost}");
        Assert.Equal(HttpStatusCode.OK, retry.Status);
        Assert.NotNull(retry["access_token"]);
        Assert.Equal(HttpStatusCode.BadRequest, again.Status);
        Assert.Equal("invalid_grant", again.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-ES-03")]
    [Trait(Catalogue.Row, "FT-08")]
    public async Task EndSession_OnNodeB_EndsTheSessionOnNodeA()
    {
        using var browser = new ClusterBrowser(fixture.A);
        var tokens = await ClusterFlows.SignInAsync(browser, Agency.Tax);
        var oldCookies = browser.CopyCookies();

        browser.Node = fixture.B;
        var signedOut = await browser.NavigateAsync(QueryHelpers.AddQueryString("/connect/endsession", new Dictionary<string, string?>
        {
            ["id_token_hint"] = tokens["id_token"],
            ["post_logout_redirect_uri"] = TestSeed.TaxPostLogout,
        }));
        Assert.True(signedOut.StoppedAtRedirect && signedOut.Uri.ToString().StartsWith(TestSeed.TaxPostLogout, StringComparison.Ordinal),
            $"{signedOut.Uri} {signedOut.Status}");

        using var replay = new ClusterBrowser(fixture.A, oldCookies);
        var response = await replay.AuthorizeAsync(ClusterFlows.Request(Agency.Health), credentials: null);

        Assert.Null(response.Code);
        Assert.True(response.Page.IsLoginPage, $"{response.Page.Uri} {response.Page.Status}");
    }
}
