using System.Globalization;
using System.Text;
using Microsoft.Net.Http.Headers;
using OnePass.IdentityProvider.Data;

namespace OnePass.IdentityProvider.Features.AdminApi.Audit;

/// <summary>
/// CSV for the audit exports: RFC 4180 (header row, CRLF, a field with a comma, quote, CR or LF quoted and
/// its quotes doubled), UTF-8 without a byte-order mark, rows written as the database returns them so an
/// export of any size never sits in memory. A cell a spreadsheet would read as a formula (starting with
/// <c>= + - @</c>, tab or CR) is prefixed with a single quote (OWASP "CSV injection"): user agents, display
/// names and target ids come from outside.
/// </summary>
public static class AuditCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    public const string InjectionNote =
        "A cell starting with =, +, -, @, a tab or a carriage return is prefixed with a single quote so that no spreadsheet runs it as a formula.";

    public static readonly string[] SignInColumns = ["time", "userId", "username", "method", "outcome", "clientId", "ipAddress", "userAgent"];

    public static readonly string[] ChangeColumns = ["time", "actorId", "actorName", "action", "targetType", "targetId", "before", "after", "ipAddress"];

    private const int FlushEvery = 200;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static string FileName(string what, TimeProvider time) =>
        $"onepass-{what}-{time.GetUtcNow().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.csv";

    public static string?[] Cells(SignInRow row) =>
        [Time(row.Time), Id(row.UserId), row.UserName ?? AuditEndpoints.Unknown, row.Method, row.Outcome, row.ClientId, row.IpAddress, row.UserAgent];

    public static string?[] Cells(AdminChange change) =>
        [Time(change.Time), Id(change.ActorUserId), change.ActorName, change.Action, change.TargetType, change.TargetId, change.Before, change.After, change.IpAddress];

    /// <summary>One field: neutralised against formula injection, then quoted when RFC 4180 needs it.</summary>
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
    }

    public static string Line(IEnumerable<string?> cells) => string.Join(',', cells.Select(Field)) + "\r\n";

    private static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string? Id(Guid? id) => id?.ToString();

    /// <summary>Streams the rows as an attachment; headers go before the first row is read.</summary>
    public sealed class Result<T>(string fileName, IReadOnlyList<string> columns, IAsyncEnumerable<T> rows, Func<T, string?[]> cells) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = ContentType;
            response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = fileName }.ToString();
            response.Headers.CacheControl = "no-store";

            var cancellationToken = httpContext.RequestAborted;
            await using var writer = new StreamWriter(response.Body, Utf8, bufferSize: 16 * 1024, leaveOpen: true);
            await writer.WriteAsync(Line(columns));
            var written = 0;
            await foreach (var row in rows.WithCancellation(cancellationToken))
            {
                await writer.WriteAsync(Line(cells(row)));
                if (++written % FlushEvery == 0)
                {
                    await writer.FlushAsync(cancellationToken);
                }
            }

            await writer.FlushAsync(cancellationToken);
        }
    }
}
