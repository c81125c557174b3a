using System.Net;
using System.Text.Json;
using OnePass.IdentityProvider.Features.AdminApi.Audit;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.Audit;

/// <summary>
/// GET /api/admin/stats (issue 5, "Statistics for the dashboard"): hourly and daily buckets, per-agency
/// counts with display names and the MFA share, on known events and a clock that stands still. The
/// host's own sign-ins (the administrator's token) are there too, so each test compares the numbers
/// before and after adding its events.
/// </summary>
public sealed class StatisticsTests(AuditClockHost fixture) : IClassFixture<AuditClockHost>
{
    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Stats24h_KnownEvents_LandInTheirHourWithSuccessesAndFailures()
    {
        var before = await StatsAsync("24h");
        var now = fixture.Time.GetUtcNow();
        var hourStart = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var threeHoursAgo = hourStart.AddHours(-3).AddMinutes(30); // the middle of bucket 20 of 24
        var user = Guid.NewGuid();
        await AuditRows.AddAsync(fixture.Host,
            AuditRows.SignIn(threeHoursAgo, user, outcome: "failure"),
            AuditRows.SignIn(threeHoursAgo.AddSeconds(10), user),
            AuditRows.SignIn(threeHoursAgo.AddSeconds(20), null, outcome: "failure"),
            AuditRows.SignIn(threeHoursAgo.AddSeconds(30), user, "otp", "locked"),
            AuditRows.SignIn(now.AddHours(-30), user), // outside the 24 hours
            AuditRows.SignIn(threeHoursAgo, user, "passkey", "registered")); // not a sign-in

        var after = await StatsAsync("24h");

        Assert.Equal("hour", after.GetProperty("bucketSize").GetString());
        var buckets = Buckets(after);
        Assert.Equal(24, buckets.Count);
        Assert.Equal(hourStart.AddHours(-23), buckets[0].Start);
        Assert.Equal(hourStart, buckets[23].Start);
        var delta = Delta(Buckets(before), buckets);
        Assert.Equal((1, 3), delta[20]);
        Assert.All(delta.Where((_, i) => i != 20), d => Assert.Equal((0, 0), d));
        Assert.Equal(Total(before, "successes") + 1, Total(after, "successes"));
        Assert.Equal(Total(before, "failures") + 3, Total(after, "failures"));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Stats7d_KnownEvents_LandInTheirDay()
    {
        var before = await StatsAsync("7d");
        var now = fixture.Time.GetUtcNow();
        var noon = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddHours(12);
        var user = Guid.NewGuid();
        await AuditRows.AddAsync(fixture.Host,
            AuditRows.SignIn(noon.AddDays(-2), user),
            AuditRows.SignIn(noon.AddDays(-2).AddMinutes(1), user, "sso", clientId: TestSeed.TaxClient),
            AuditRows.SignIn(noon.AddDays(-6), Guid.NewGuid(), "recovery", "failure"),
            AuditRows.SignIn(noon.AddDays(-8), user)); // outside the 7 days

        var after = await StatsAsync("7d");

        Assert.Equal("day", after.GetProperty("bucketSize").GetString());
        var buckets = Buckets(after);
        Assert.Equal(7, buckets.Count);
        Assert.Equal(new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero), buckets[6].Start);
        var delta = Delta(Buckets(before), buckets);
        Assert.Equal((2, 0), delta[4]);
        Assert.Equal((0, 1), delta[0]);
        Assert.All(delta.Where((_, i) => i is not 0 and not 4), d => Assert.Equal((0, 0), d));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Stats_PerAgency_CountsSignInsNamingTheAgencyWithItsDisplayName()
    {
        var before = Agencies(await StatsAsync("24h"));
        var now = fixture.Time.GetUtcNow();
        var user = Guid.NewGuid();
        await AuditRows.AddAsync(fixture.Host,
            AuditRows.SignIn(now.AddMinutes(-10), user, "sso", clientId: TestSeed.HealthClient),
            AuditRows.SignIn(now.AddMinutes(-9), user, "sso", clientId: TestSeed.HealthClient),
            AuditRows.SignIn(now.AddMinutes(-8), user, "sso", clientId: TestSeed.LegacyClient),
            AuditRows.SignIn(now.AddMinutes(-7), user, "pwd", "failure", TestSeed.LegacyClient)); // a failure is no sign-in at the agency

        var after = Agencies(await StatsAsync("24h"));

        Assert.Equal(before.GetValueOrDefault(TestSeed.HealthClient).Count + 2, after[TestSeed.HealthClient].Count);
        Assert.Equal(before.GetValueOrDefault(TestSeed.LegacyClient).Count + 1, after[TestSeed.LegacyClient].Count);
        Assert.Equal("National Health Insurance", after[TestSeed.HealthClient].Name);
        Assert.Equal("Legacy Agency", after[TestSeed.LegacyClient].Name);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Stats_MfaShare_CountsPasswordPlusCodeOnceAsASecondFactorSignIn()
    {
        var before = Mfa(await StatsAsync("24h"));
        var at = fixture.Time.GetUtcNow().AddHours(-2);
        var (withCode, passwordOnly, withPasskey) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await AuditRows.AddAsync(fixture.Host,
            AuditRows.SignIn(at, withCode),
            AuditRows.SignIn(at.AddSeconds(30), withCode, "otp"),
            AuditRows.SignIn(at, passwordOnly),
            AuditRows.SignIn(at, withPasskey, "passkey"),
            AuditRows.SignIn(at.AddMinutes(1), passwordOnly, "sso", clientId: TestSeed.TaxClient)); // no factor: not in the share

        var after = await StatsAsync("24h");

        var mfa = Mfa(after);
        Assert.Equal(before.SignIns + 3, mfa.SignIns);
        Assert.Equal(before.WithSecondFactor + 2, mfa.WithSecondFactor);
        Assert.Equal(Math.Round((double)mfa.WithSecondFactor / mfa.SignIns, 4), after.GetProperty("mfa").GetProperty("share").GetDouble(), 4);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Stats_WithoutRange_IsThe24HourView()
    {
        var response = await fixture.GetAsync("/api/admin/stats");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("24h", response.Json.GetProperty("range").GetString());
        Assert.Equal(24, response.Json.GetProperty("buckets").GetArrayLength());
    }

    // ---- The counting rules, on events alone --------------------------------------------------------------

    private static readonly DateTimeOffset First = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public void Count_PasswordThenCodeWithinFiveMinutes_IsOneSignInWithSecondFactor()
    {
        var user = Guid.NewGuid();

        var (buckets, signIns, withSecond) = SignInStatistics.Count(
            [Event(First.AddMinutes(10), "pwd", user), Event(First.AddMinutes(14), "otp", user)], First, TimeSpan.FromHours(1), 2);

        Assert.Equal((1, 1), (signIns, withSecond));
        Assert.Equal(1, buckets[0].Successes);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public void Count_PerAgency_CountsEachSignInOnceUnderTheAgencyItWasFor()
    {
        var (citizen, other) = (Guid.NewGuid(), Guid.NewGuid());

        var tally = SignInStatistics.Count(
        [
            new StatsEvent(First.AddMinutes(1), "success", "pwd", citizen, "agency-a"),
            new StatsEvent(First.AddMinutes(2), "success", "otp", citizen, "agency-a"),
            new StatsEvent(First.AddMinutes(3), "success", "sso", citizen, "agency-b"),
            new StatsEvent(First.AddMinutes(4), "success", "passkey", other, "agency-a"),
            new StatsEvent(First.AddMinutes(5), "failure", "pwd", other, "agency-b"),
        ], First, TimeSpan.FromHours(1), 2);

        Assert.Equal(new Dictionary<string, int> { ["agency-a"] = 2, ["agency-b"] = 1 }, tally.PerAgency);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public void Count_CodeLongAfterPassword_IsASeparateStepUpSignIn()
    {
        var user = Guid.NewGuid();

        var (buckets, signIns, withSecond) = SignInStatistics.Count(
            [Event(First.AddMinutes(10), "pwd", user), Event(First.AddMinutes(40), "otp", user)], First, TimeSpan.FromHours(1), 2);

        Assert.Equal((2, 1), (signIns, withSecond));
        Assert.Equal(2, buckets[0].Successes);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public void Count_PasskeyAsSecondFactor_IsNotASecondSignIn()
    {
        var user = Guid.NewGuid();

        var (buckets, signIns, withSecond) = SignInStatistics.Count(
            [Event(First.AddMinutes(10), "pwd", user), Event(First.AddMinutes(11), "passkey", user), Event(First.AddMinutes(20), "passkey", user)],
            First, TimeSpan.FromHours(1), 1);

        Assert.Equal((2, 2), (signIns, withSecond)); // the first passkey completes the password; the second is a sign-in of its own
        Assert.Equal(2, buckets[0].Successes);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public void Count_SecondFactorOfPasswordBeforeTheWindow_IsNotCounted()
    {
        var user = Guid.NewGuid();

        var (buckets, signIns, withSecond) = SignInStatistics.Count(
            [Event(First.AddMinutes(-2), "pwd", user), Event(First.AddMinutes(1), "otp", user)], First, TimeSpan.FromHours(1), 1);

        Assert.Equal((0, 0), (signIns, withSecond));
        Assert.Equal(0, buckets[0].Successes);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public void Count_SsoAndFailures_CountInTheirBucketsButNotInTheShare()
    {
        var (buckets, signIns, withSecond) = SignInStatistics.Count(
            [Event(First.AddMinutes(5), "sso", Guid.NewGuid()), Event(First.AddMinutes(70), "pwd", null, "failure"), Event(First.AddMinutes(75), "otp", Guid.NewGuid(), "replay")],
            First, TimeSpan.FromHours(1), 2);

        Assert.Equal((0, 0), (signIns, withSecond));
        Assert.Equal([(1, 0), (0, 2)], buckets.Select(b => (b.Successes, b.Failures)));
    }

    private static StatsEvent Event(DateTimeOffset time, string method, Guid? user, string outcome = "success") => new(time, outcome, method, user);

    private async Task<JsonElement> StatsAsync(string range)
    {
        var response = await fixture.GetAsync($"/api/admin/stats?range={range}");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return response.Json;
    }

    private static List<(DateTimeOffset Start, int Successes, int Failures)> Buckets(JsonElement stats) =>
    [
        .. stats.GetProperty("buckets").EnumerateArray().Select(b =>
            (b.GetProperty("start").GetDateTimeOffset(), b.GetProperty("successes").GetInt32(), b.GetProperty("failures").GetInt32())),
    ];

    private static List<(int Successes, int Failures)> Delta(
        List<(DateTimeOffset Start, int Successes, int Failures)> before, List<(DateTimeOffset Start, int Successes, int Failures)> after) =>
        [.. before.Zip(after, (b, a) => (a.Successes - b.Successes, a.Failures - b.Failures))];

    private static int Total(JsonElement stats, string name) => stats.GetProperty(name).GetInt32();

    private static Dictionary<string, (int Count, string? Name)> Agencies(JsonElement stats) =>
        stats.GetProperty("agencies").EnumerateArray().ToDictionary(
            a => a.GetProperty("clientId").GetString()!,
            a => (a.GetProperty("signIns").GetInt32(), a.GetProperty("displayName").GetString()));

    private static (int SignIns, int WithSecondFactor) Mfa(JsonElement stats) =>
        (stats.GetProperty("mfa").GetProperty("signIns").GetInt32(), stats.GetProperty("mfa").GetProperty("withSecondFactor").GetInt32());
}
