using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Mfa;

/// <summary>
/// Sign-in events name the agency the sign-in was for (issue 5: sign-ins per agency on the dashboard),
/// read from the authorization request the sign-in resumes.
/// </summary>
public sealed class AuthAuditAgencyTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    [Theory]
    [InlineData("/connect/authorize?client_id=agency-tax&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc", "agency-tax")]
    [InlineData("/connect/authorize?response_type=code&client_id=agency-health", "agency-health")]
    [InlineData("/account/security", null)]
    [InlineData("/connect/authorize?client_id=a&client_id=b", null)]
    [InlineData(null, null)]
    public void AgencyOf_ReturnUrl_IsTheClientIdOfTheResumedRequest(string? returnUrl, string? expected) =>
        Assert.Equal(expected, AuthAudit.AgencyOf(returnUrl));

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task PasswordSignIn_ThroughAnAgency_RecordsThatAgencyOnTheEvent()
    {
        var user = await fixture.Host.WithDatabaseAsync(db => db.Users.SingleAsync(u => u.UserName == TestSeed.OtherCitizen));

        await Agency.Health.CodeAsync(fixture.Host, TestSeed.OtherCitizen);

        var events = await fixture.Host.WithDatabaseAsync(db => db.AuthEvents.AsNoTracking()
            .Where(e => e.UserId == user.Id && e.Method == "pwd" && e.Outcome == AuthAudit.Success).ToListAsync());
        Assert.Contains(events, e => e.ClientId == TestSeed.HealthClient);
    }
}
