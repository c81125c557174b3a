using System.Net;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Security;

/// <summary>
/// Per-IP limits answer 429 with Retry-After before any work is done: sign-in POSTs before the
/// password is hashed (CATALOGUE LD-05), authorization requests before OpenIddict stores them (LD-03).
/// </summary>
public sealed class RateLimitTests : IDisposable
{
    private readonly OnePassHost _host = new(new OnePassHostOptions
    {
        Settings =
        {
            ["OnePass:RateLimits:SignInPerIpPerMinute"] = "2",
            ["OnePass:RateLimits:AuthorizationRequestsPerIpPerMinute"] = "2",
        },
    });

    public void Dispose() => _host.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "LD-05")]
    public async Task Login_OverThePerIpLimit_Answers429WithRetryAfterAndCountsNoFailure()
    {
        using var browser = _host.CreateBrowser();
        var page = await browser.NavigateAsync("/account/login");
        var fields = page.Form().Fields.Where(field => field.Key is not "username" and not "password").ToList();
        fields.Add(new("username", TestSeed.OtherCitizen));
        fields.Add(new("password", "a wrong password that is long"));
        await browser.PostFormAsync("/account/login", fields);
        await browser.PostFormAsync("/account/login", fields);

        var limited = await browser.PostFormAsync("/account/login", fields);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("60", limited.Headers.RetryAfter?.ToString());
        var failures = await _host.WithDatabaseAsync(db => Task.FromResult(db.Users.Single(user => user.UserName == TestSeed.OtherCitizen).AccessFailedCount));
        Assert.Equal(2, failures);
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-03")]
    public async Task Authorize_OverThePerIpLimit_Answers429AndStoresNothing()
    {
        using var browser = _host.CreateBrowser();
        var url = new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect).ToUrl();
        await browser.GetAsync(url);
        await browser.GetAsync(url);
        var before = await _host.CountRowsAsync();

        var limited = await browser.GetAsync(url);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(before, await _host.CountRowsAsync());
    }
}
