using System.Globalization;

namespace OnePass.IdentityProvider.Features.Site;

/// <summary>
/// Times as the citizen reads them: in the page's language and in the browser's time zone. The zone comes
/// from the <c>onepass.tz</c> cookie that <c>/js/timezone.js</c> sets from
/// <c>Intl.DateTimeFormat().resolvedOptions().timeZone</c>; without it (first page, no script) times are
/// shown in UTC and say so. Every shown time names its offset, so a wrong guess is never silent.
/// </summary>
public static class CitizenTime
{
    public const string Cookie = "onepass.tz";

    private static readonly AsyncLocal<TimeZoneInfo?> CurrentZone = new();

    /// <summary>This request's time zone (UTC when the browser has not told us).</summary>
    public static TimeZoneInfo Zone
    {
        get => CurrentZone.Value ?? TimeZoneInfo.Utc;
        set => CurrentZone.Value = value;
    }

    /// <summary>For the <c>datetime</c> attribute (RFC 3339, UTC).</summary>
    public static string Machine(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>As text, such as "27 novembre 2026 16:51 (UTC+09:00)": long date and short time of the current culture.</summary>
    public static string Shown(DateTimeOffset time)
    {
        var zone = Zone;
        var local = TimeZoneInfo.ConvertTime(time, zone);
        var culture = CultureInfo.CurrentCulture;
        var pattern = culture.DateTimeFormat.LongDatePattern + " " + culture.DateTimeFormat.ShortTimePattern;
        return $"{local.ToString(pattern, culture)} ({Offset(local.Offset)})";
    }

    /// <summary>An IANA (or Windows) zone id the system knows, at most 64 characters; anything else is ignored.</summary>
    public static TimeZoneInfo? Parse(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '-' or '+')
        && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;

    public static IApplicationBuilder UseCitizenTimeZone(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        Zone = Parse(context.Request.Cookies[Cookie]) ?? TimeZoneInfo.Utc;
        return next(context);
    });

    private static string Offset(TimeSpan offset) =>
        offset == TimeSpan.Zero ? "UTC" : "UTC" + (offset < TimeSpan.Zero ? "−" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
}
