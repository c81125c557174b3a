using System.Net;
using OnePass.Cluster.Tests.Kit;
using OnePass.TestKit;
using Xunit.Abstractions;

namespace OnePass.Cluster.Tests;

/// <summary>
/// Single logout from a cluster to real agencies (issue 3; CATALOGUE AT-30, FT-08): two copies of
/// samples/AgencySite, each its own process with Microsoft's OpenID Connect handler and the sample's
/// back-channel receiver (which validates the logout token with Microsoft.IdentityModel's JOSE
/// implementation against the issuer's JWKS). A sign-out on node B ends both agencies' local sessions,
/// though the browser never goes back to either agency.
/// </summary>
public sealed class ClusterAgencySiteLogoutTests(AgencySitesClusterFixture fixture, ITestOutputHelper output)
    : IClassFixture<AgencySitesClusterFixture>, IDisposable
{
    private const string SignedInText = "Signed in as";
    private const string SignedOutText = "Sign in with OnePass";
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);

    private readonly NodeLogs _logs = new(output, fixture.Cluster);

    public void Dispose()
    {
        _logs.Dispose();
        output.WriteLine(fixture.First.Log);
        output.WriteLine(fixture.Second.Log);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    [Trait(Catalogue.Row, "FT-08")]
    public async Task SignOut_OnNodeB_EndsBothAgencySitesLocalSessionsByBackChannelLogout()
    {
        using var browser = new ClusterBrowser(fixture.A);
        var first = await OpenAsync(browser, fixture.First.At("/me"), giveCredentials: true);
        browser.Node = fixture.B;
        var second = await OpenAsync(browser, fixture.Second.At("/me"), giveCredentials: false);
        Assert.Equal(fixture.First.At("/me"), first.Uri);
        Assert.Equal(fixture.Second.At("/me"), second.Uri);
        Assert.Contains(SignedInText, await HomeAsync(browser, fixture.First), StringComparison.Ordinal);
        Assert.Contains(SignedInText, await HomeAsync(browser, fixture.Second), StringComparison.Ordinal);

        var confirmation = await browser.NavigateAsync("/connect/endsession");
        Assert.True(confirmation.IsLogoutConfirmation, $"{confirmation.Uri} {confirmation.Status}");
        var signedOut = await browser.SubmitAsync(confirmation, new Dictionary<string, string>(), "logout", "yes");
        Assert.Equal(HttpStatusCode.OK, signedOut.Status);

        // The browser stays away from both agencies: only OnePass's logout tokens can end their sessions.
        var firstEnded = await WaitSignedOutAsync(browser, fixture.First);
        var secondEnded = await WaitSignedOutAsync(browser, fixture.Second);
        Assert.True(firstEnded, $"agency one still signed in:\n{fixture.First.Log}\n{fixture.Cluster.Logs()}");
        Assert.True(secondEnded, $"agency two still signed in:\n{fixture.Second.Log}\n{fixture.Cluster.Logs()}");
    }

    /// <summary>
    /// Opens an agency page and walks the sign-in like a browser: redirects between the agency and the
    /// issuer (served by the browser's node), OnePass's login (once, when allowed) and consent pages, and
    /// the auto-submitted form_post back to the agency. At most 12 steps: more is a loop.
    /// </summary>
    private static async Task<BrowserPage> OpenAsync(ClusterBrowser browser, Uri url, bool giveCredentials)
    {
        var page = await browser.FollowAsync(await browser.GetAsync(url.ToString()));
        for (var step = 0; step < 12; step++)
        {
            if (page.StoppedAtRedirect)
            {
                page = await browser.FollowAsync(await browser.GetAsync(page.Uri.ToString()));
            }
            else if (page.IsLoginPage)
            {
                Assert.True(giveCredentials, $"asked for the password again on node {browser.Node.Name}: {page.Uri}");
                giveCredentials = false;
                page = await browser.SubmitAsync(page, new Dictionary<string, string> { ["username"] = TestSeed.Citizen, ["password"] = TestSeed.Password });
            }
            else if (page.IsConsentPage)
            {
                page = await browser.SubmitAsync(page, new Dictionary<string, string>(), "decision", "allow");
            }
            else if (page.Uri.Authority == browser.Issuer.Authority && page.Document.QuerySelector("form[method=post]") is not null)
            {
                page = await browser.SubmitAsync(page, new Dictionary<string, string>()); // response_mode=form_post
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, page.Status);
                return page;
            }
        }

        throw new InvalidOperationException($"No end after 12 steps (a loop?): {page.Uri}");
    }

    /// <summary>The agency's home page, which says whether its own session is live.</summary>
    private static async Task<string> HomeAsync(ClusterBrowser browser, AgencySiteProcess site)
    {
        var (response, _) = await browser.GetAsync(site.At("/").ToString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<bool> WaitSignedOutAsync(ClusterBrowser browser, AgencySiteProcess site)
    {
        var deadline = DateTime.UtcNow + DeliveryTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if ((await HomeAsync(browser, site)).Contains(SignedOutText, StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(200);
        }

        return false;
    }
}
