using System.Globalization;

namespace OnePass.AdminConsole.Features.Audit;

/// <summary>
/// Times on the console's screens. The API answers in UTC; the audit screens let the administrator pick a UTC
/// offset, in which the filter's <c>datetime-local</c> values are read and the rows' times are shown. There is no
/// time-zone database lookup: an offset is exact and says itself on the page ("UTC+09:00").
/// </summary>
public static class AuditTime
{
    /// <summary>The offsets offered, from UTC−12:00 to UTC+14:00, with the half and quarter hours in use.</summary>
    public static readonly IReadOnlyList<TimeSpan> Offsets =
    [
        .. Enumerable.Range(-12, 27).Select(hours => TimeSpan.FromHours(hours))
            .Concat(new[] { -9.5, -3.5, 3.5, 4.5, 5.5, 5.75, 6.5, 8.75, 9.5, 10.5, 12.75 }.Select(TimeSpan.FromHours))
            .Order(),
    ];

    /// <summary>The value of an offset in a form and a URL: <c>+09:00</c>, <c>-03:30</c>; <c>+00:00</c> is UTC.</summary>
    public static string Value(TimeSpan offset) =>
        (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);

    /// <summary>How an offset is named on the page: <c>UTC</c>, <c>UTC+09:00</c>, <c>UTC−03:30</c>.</summary>
    public static string Label(TimeSpan offset) => offset == TimeSpan.Zero ? "UTC" : "UTC" + Value(offset);

    /// <summary>Reads a <see cref="Value"/>; null when it is not one of <see cref="Offsets"/>.</summary>
    public static TimeSpan? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return TimeSpan.Zero;
        }

        return Offsets.FirstOrDefault(offset => Value(offset) == value) is var found && Value(found) == value ? found : null;
    }

    /// <summary>A <c>datetime-local</c> value (no offset) read as a time at <paramref name="offset"/>.</summary>
    public static DateTimeOffset At(DateTime local, TimeSpan offset) =>
        new(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), offset);

    /// <summary>A time shown at <paramref name="offset"/>, to the second, with the offset named.</summary>
    public static string Format(DateTimeOffset time, TimeSpan offset) =>
        time.ToOffset(offset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " " + Label(offset);

    /// <summary>A time shown in UTC.</summary>
    public static string Format(DateTimeOffset time) => Format(time, TimeSpan.Zero);

    /// <summary>The machine-readable value of a <c>&lt;time datetime&gt;</c>.</summary>
    public static string Iso(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);
}
