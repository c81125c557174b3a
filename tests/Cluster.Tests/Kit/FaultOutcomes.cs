using System.Net;
using OnePass.TestKit;

namespace OnePass.Cluster.Tests.Kit;

/// <summary>What a flow interrupted by a failing backing service may end in (CATALOGUE FT-02).</summary>
public static class FaultOutcomes
{
    /// <summary>
    /// <paramref name="page"/> is where the browser ended (its redirects are followed up to
    /// ClusterBrowser's bound; <paramref name="loop"/> is what that threw). Allowed: a 503 with
    /// <c>Retry-After</c>, OnePass's sign-in page ("please sign in again"), or an error sent to the agency;
    /// never a code.
    /// </summary>
    public static void AssertNoCodeAndNoLoop(BrowserPage? page, Exception? loop, AuthorizationRequest request)
    {
        Assert.True(loop is null, $"the redirects did not end: {loop}");
        Assert.NotNull(page);
        var atAgency = page.StoppedAtRedirect && page.Uri.ToString().StartsWith(request.RedirectUri!, StringComparison.Ordinal);
        var response = new AuthorizationResponse(page, atAgency ? page.Uri : null);
        Assert.True(response.Code is null, $"a code was issued: {page.Uri}");
        if (page.Status == HttpStatusCode.ServiceUnavailable)
        {
            Assert.NotNull(page.Response.Headers.RetryAfter);
            return;
        }

        Assert.True(page.IsLoginPage || response.Error is not null, $"neither 503 nor a sign-in page nor an error for the agency: {page.Uri} {page.Status}");
    }
}
