using System.Net;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.Audit;

/// <summary>
/// An agency served from an existing SSO session is a sign-in too (issue 5 statistics): the authorization
/// endpoint records an <c>sso</c> event naming the agency when it issues a code without a new factor, and
/// none when the code follows a sign-in the request asked for.
/// </summary>
public sealed class SsoSignInEventTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Authorize_SecondAgencyFromExistingSession_RecordsSsoEventForThatAgency()
    {
        var user = await AuditRows.UserIdAsync(fixture.Host, TestSeed.OtherCitizen);
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var browser = fixture.Host.CreateBrowser();
        var first = await browser.AuthorizeAsync(new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect), (TestSeed.OtherCitizen, TestSeed.Password));
        Assert.NotNull(first.Code);

        var second = await browser.AuthorizeAsync(new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect));

        Assert.NotNull(second.Code);
        var sso = Assert.Single(await EventsAsync(user, since, "sso"));
        Assert.Equal(TestSeed.HealthClient, sso.ClientId);
        Assert.Equal("success", sso.Outcome);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Authorize_CodeRightAfterSignIn_RecordsThePasswordAndNoSsoEvent()
    {
        var user = await AuditRows.UserIdAsync(fixture.Host, TestSeed.Citizen);
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var browser = fixture.Host.CreateBrowser();

        var response = await browser.AuthorizeAsync(new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect), (TestSeed.Citizen, TestSeed.Password));

        Assert.NotNull(response.Code);
        Assert.Empty(await EventsAsync(user, since, "sso"));
        Assert.Single(await EventsAsync(user, since, "pwd"));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignIns_FilteredByMethodSso_ListsTheVisitWithTheUsername()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var browser = fixture.Host.CreateBrowser();
        await browser.SignInAsync(AdminApiHost.DemotedAdmin);
        Assert.NotNull((await browser.AuthorizeAsync(new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect))).Code);
        var user = await AuditRows.UserIdAsync(fixture.Host, AdminApiHost.DemotedAdmin);

        var response = await fixture.GetAsAdminAsync($"/api/admin/audit/sign-ins?userId={user}&method=sso&clientId={TestSeed.HealthClient}");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var item = Assert.Single(response.Json.GetProperty("items").EnumerateArray());
        Assert.Equal(AdminApiHost.DemotedAdmin, item.GetProperty("username").GetString());
        Assert.True(item.GetProperty("time").GetDateTimeOffset() >= since);
    }

    private Task<List<AuthEvent>> EventsAsync(Guid user, DateTimeOffset since, string method) => fixture.Host.WithDatabaseAsync(async db =>
        (await db.AuthEvents.AsNoTracking().Where(e => e.UserId == user && e.Method == method).ToListAsync())
            .Where(e => e.Time >= since).ToList());
}
