using System.Net;
using System.Text.Json;
using AngleSharp.Dom;

namespace OnePass.AdminConsole.Tests.Dashboard;

public sealed class DashboardTests : IClassFixture<ConsoleHost>
{
    private readonly ConsoleHost _host;

    public DashboardTests(ConsoleHost host)
    {
        _host = host;
        host.Api.OnJson(HttpMethod.Get, "/api/admin/stats?range=24h", Day());
        host.Api.OnJson(HttpMethod.Get, "/api/admin/stats?range=7d", Week());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Dashboard_HourlyChart_CarriesTheStatsNumbersInItsTextAndItsDataTable()
    {
        using var client = _host.Browser();

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await ConsoleHost.ParseAsync(response);
        var chart = document.GetElementById("chart-day")!;
        Assert.Equal("img", chart.GetAttribute("role"));
        Assert.Equal("chart-day-title", chart.GetAttribute("aria-labelledby"));
        Assert.Contains("123 successful and 45 failed", chart.QuerySelector("desc")!.TextContent, StringComparison.Ordinal);
        var barTitles = chart.QuerySelectorAll("rect > title").Select(t => t.TextContent).ToList();
        Assert.Contains("2026-11-27 04:00 UTC: 17 successful", barTitles);
        Assert.Contains("2026-11-27 04:00 UTC: 3 failed", barTitles);
        var table = Table(document, "Sign-ins per hour, last 24 hours");
        Assert.Contains(Rows(table), row => row == "2026-11-27 04:00 UTC | 17 | 3");
        Assert.Contains(Rows(table), row => row == "Total | 123 | 45");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Dashboard_DailyChart_HasOneBarPairPerDay()
    {
        var document = await OpenDashboardAsync();

        var chart = document.GetElementById("chart-week")!;
        Assert.Equal(14, chart.QuerySelectorAll("rect > title").Length);
        Assert.Contains("Fri 2026-11-27: 40 successful", chart.QuerySelectorAll("rect > title").Select(t => t.TextContent));
        Assert.Contains(Rows(Table(document, "Sign-ins per day, last 7 days")), row => row == "Total | 700 | 90");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Dashboard_FailedBars_DifferFromSuccessfulByPatternNotColourAlone()
    {
        var document = await OpenDashboardAsync();

        var chart = document.GetElementById("chart-day")!;
        Assert.NotNull(chart.QuerySelector("pattern#chart-day-hatch"));
        var failed = chart.QuerySelectorAll("rect").Where(r => r.QuerySelector("title")?.TextContent.EndsWith(" failed", StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(failed);
        Assert.All(failed, r => Assert.Equal("url(#chart-day-hatch)", r.GetAttribute("fill")));
        Assert.Contains("Failed (hatched)", chart.QuerySelectorAll("text").Select(t => t.TextContent));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Dashboard_ShowsFailureCountAndMfaShare()
    {
        var document = await OpenDashboardAsync();

        var figures = string.Join(" | ", document.QuerySelectorAll("dl#figures-day-list > *").Select(e => e.TextContent.Trim()));
        Assert.Equal("Successful sign-ins | 123 | Failed sign-ins | 45 | With a second factor | 62.5 % (5 of 8)", figures);
        var mfa = document.GetElementById("chart-mfa")!;
        Assert.Contains("62.5 %", mfa.QuerySelectorAll("text").Select(t => t.TextContent));
        Assert.Contains(Rows(Table(document, "Sign-ins with a second factor")), row => row == "Last 24 hours | 8 | 5 | 3 | 62.5 %");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Dashboard_AgencyChart_HasABarAndARowPerAgency()
    {
        var document = await OpenDashboardAsync();

        var chart = document.GetElementById("chart-agencies-day")!;
        Assert.Contains("National Tax Service: 80 successful sign-ins", chart.QuerySelectorAll("rect > title").Select(t => t.TextContent));
        Assert.Contains("80", chart.QuerySelectorAll("text").Select(t => t.TextContent));
        Assert.Contains(Rows(Table(document, "Successful sign-ins per agency, last 24 hours")), row => row == "National Tax Service | agency-tax | 80");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-02")]
    [Trait(Catalogue.Row, "AT-24")]
    public async Task Dashboard_HostileAgencyName_IsShownAsTextInChartAndTable()
    {
        const string script = "<script>alert(1)</script>";
        _host.Api.OnJson(HttpMethod.Get, "/api/admin/stats?range=24h", Day(agencyName: script));
        using var client = _host.Browser();

        using var response = await client.GetAsync("/");

        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>alert", html, StringComparison.OrdinalIgnoreCase);
        var document = await ConsoleHost.ParseAsync(response);
        Assert.Contains(script + ": 80 successful sign-ins", document.GetElementById("chart-agencies-day")!.QuerySelectorAll("rect > title").Select(t => t.TextContent));
        _host.Api.OnJson(HttpMethod.Get, "/api/admin/stats?range=24h", Day());
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-24")]
    public async Task Dashboard_HasNoInlineStyleOrScript()
    {
        var document = await OpenDashboardAsync();

        Assert.Empty(document.QuerySelectorAll("[style], style"));
        Assert.All(document.Scripts, script => Assert.False(string.IsNullOrEmpty(script.Source)));
    }

    /// <summary>The dashboard as the signed-in administrator sees it.</summary>
    private async Task<IDocument> OpenDashboardAsync()
    {
        using var client = _host.Browser();
        using var response = await client.GetAsync("/");
        return await ConsoleHost.ParseAsync(response);
    }

    private static IElement Table(IDocument document, string caption) =>
        document.QuerySelectorAll("table").Single(t => t.QuerySelector("caption")?.TextContent.Trim() == caption);

    private static List<string> Rows(IElement table) =>
        [.. table.QuerySelectorAll("tbody tr, tfoot tr").Select(row => string.Join(" | ", row.Children.Select(cell => cell.TextContent.Trim())))];

    private static string Day(string agencyName = "National Tax Service")
    {
        var first = new DateTimeOffset(2026, 11, 26, 5, 0, 0, TimeSpan.Zero);
        var buckets = Enumerable.Range(0, 24).Select(i => new
        {
            start = first.AddHours(i),
            successes = i == 23 ? 17 : 4,
            failures = i == 23 ? 3 : 1 + (i % 2),
        }).ToList();
        return JsonSerializer.Serialize(new
        {
            range = "24h",
            bucketSize = "hour",
            from = first,
            to = first.AddHours(24),
            buckets,
            successes = 123,
            failures = 45,
            agencies = new[] { new { clientId = "agency-tax", displayName = agencyName, signIns = 80 }, new { clientId = "agency-health", displayName = (string?)null!, signIns = 12 } },
            mfa = new { signIns = 8, withSecondFactor = 5, share = 0.625 },
        });
    }

    private static string Week()
    {
        var first = new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);
        var buckets = Enumerable.Range(0, 7).Select(i => new { start = first.AddDays(i), successes = i == 6 ? 40 : 110, failures = 10 + i }).ToList();
        return JsonSerializer.Serialize(new
        {
            range = "7d",
            bucketSize = "day",
            from = first,
            to = first.AddDays(7),
            buckets,
            successes = 700,
            failures = 90,
            agencies = new[] { new { clientId = "agency-tax", displayName = "National Tax Service", signIns = 500 } },
            mfa = new { signIns = 600, withSecondFactor = 450, share = 0.75 },
        });
    }
}
