using System.Globalization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.AdminConsole.Infrastructure.AdminApi;

namespace OnePass.AdminConsole.Features.Dashboard;

/// <summary>
/// The console's home page: successful and failed sign-ins of the last 24 hours (per hour) and 7 days (per day),
/// sign-ins per agency, the failure count and the share of sign-ins with a second factor, from
/// <c>GET /api/admin/stats</c>. Charts are server-rendered SVG (<see cref="SvgChart"/>), each followed by a data
/// table with the same numbers. Hours and days are UTC, as the API counts them.
/// </summary>
public sealed class DashboardModel(AdminApiClient api) : PageModel
{
    public Statistics Day { get; private set; } = null!;

    public Statistics Week { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        // One after the other: both calls may need the access token refreshed, and a refresh token is used once.
        Day = await api.GetStatisticsAsync("24h", cancellationToken);
        Week = await api.GetStatisticsAsync("7d", cancellationToken);
    }

    public static IReadOnlyList<ChartBucket> Buckets(Statistics statistics)
    {
        var hourly = string.Equals(statistics.BucketSize, "hour", StringComparison.Ordinal);
        return [.. statistics.Buckets.Select(bucket =>
        {
            var start = bucket.Start.ToUniversalTime();
            return hourly
                ? new ChartBucket(start.ToString("yyyy-MM-dd HH:00 'UTC'", CultureInfo.InvariantCulture), start.ToString("HH", CultureInfo.InvariantCulture), bucket.Successes, bucket.Failures)
                : new ChartBucket(start.ToString("ddd yyyy-MM-dd", CultureInfo.InvariantCulture), start.ToString("ddd d", CultureInfo.InvariantCulture), bucket.Successes, bucket.Failures);
        })];
    }

    public static IReadOnlyList<ChartAgency> Agencies(Statistics statistics) =>
        [.. statistics.Agencies.Select(agency => new ChartAgency(AgencyName(agency), agency.SignIns))];

    public static string AgencyName(AgencySignIns agency) =>
        string.IsNullOrWhiteSpace(agency.DisplayName) ? agency.ClientId : agency.DisplayName;

    /// <summary>The text alternative of a bucket chart: the period, the totals and the busiest bucket.</summary>
    public static string Describe(Statistics statistics, string unit)
    {
        var buckets = Buckets(statistics);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"From {statistics.From.ToUniversalTime():yyyy-MM-dd HH:mm} to {statistics.To.ToUniversalTime():yyyy-MM-dd HH:mm} UTC: {statistics.Successes} successful and {statistics.Failures} failed sign-ins.");
        if (buckets.Count > 0 && buckets.Max(b => b.Successes + b.Failures) > 0)
        {
            var busiest = buckets.MaxBy(b => b.Successes + b.Failures)!;
            text += string.Create(CultureInfo.InvariantCulture,
                $" Busiest {unit}: {busiest.Label}, {busiest.Successes} successful and {busiest.Failures} failed.");
        }

        return text + " The table below the chart lists every " + unit + ".";
    }

    public static string DescribeAgencies(Statistics statistics) =>
        statistics.Agencies.Count == 0
            ? "No successful sign-in named an agency."
            : string.Join("; ", statistics.Agencies.Select(a => $"{AgencyName(a)}: {a.SignIns.ToString(CultureInfo.InvariantCulture)}")) + ".";

    public static string MfaText(MfaShare? mfa) =>
        mfa is null || mfa.SignIns == 0
            ? "no sign-ins with a factor"
            : $"{SvgChart.Percent(mfa.WithSecondFactor, mfa.SignIns)} ({mfa.WithSecondFactor.ToString(CultureInfo.InvariantCulture)} of {mfa.SignIns.ToString(CultureInfo.InvariantCulture)})";
}
