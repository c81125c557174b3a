using System.Net;
using System.Net.Http.Headers;
using OnePass.IdentityProvider.Features.AdminApi.Audit;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.Audit;

/// <summary>
/// The CSV exports (issue 5, "CSV export streamed"; "CSV export content"): exact content with header,
/// RFC 4180 quoting and the formula-injection prefix, every matching row beyond one page, a large export,
/// and the attachment headers.
/// </summary>
public sealed class AuditCsvTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    private const string SignIns = "/api/admin/audit/sign-ins.csv";
    private const string Changes = "/api/admin/audit/changes.csv";
    private const string SignInHeader = "time,userId,username,method,outcome,clientId,ipAddress,userAgent\r\n";

    private static readonly DateTimeOffset T = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-1).AddHours(9);

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignInsCsv_Rows_AreExactWithQuotingAndInjectionPrefix()
    {
        var client = AdminApiHost.UniqueClientId("csv");
        var citizen = await AuditRows.UserIdAsync(fixture.Host, TestSeed.Citizen);
        await AuditRows.AddAsync(fixture.Host,
            AuditRows.SignIn(T, null, "pwd", "failure", client, "198.51.100.7", "=HYPERLINK(\"http://evil\")"),
            AuditRows.SignIn(T.AddSeconds(1), citizen, "sso", "success", client, null, "Mozilla/5.0 (X11, Linux)\r\nline two"),
            AuditRows.SignIn(T.AddSeconds(2), citizen, "otp", "success", client, "@home", "-1+2"));

        var (response, body) = await GetCsvAsync($"{SignIns}?clientId={client}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            SignInHeader +
            $"{Stamp(T.AddSeconds(2))},{citizen},citizen1,otp,success,{client},'@home,'-1+2\r\n" +
            $"{Stamp(T.AddSeconds(1))},{citizen},citizen1,sso,success,{client},,\"Mozilla/5.0 (X11, Linux)\r\nline two\"\r\n" +
            $"{Stamp(T)},,unknown,pwd,failure,{client},198.51.100.7,\"'=HYPERLINK(\"\"http://evil\"\")\"\r\n",
            body);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignInsCsv_Response_IsAnAttachmentWithDatedFileName()
    {
        var (response, _) = await GetCsvAsync($"{SignIns}?clientId={AdminApiHost.UniqueClientId("none")}");

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        var disposition = response.Content.Headers.ContentDisposition;
        Assert.Equal("attachment", disposition?.DispositionType);
        Assert.Matches(@"^onepass-sign-ins-\d{4}-\d{2}-\d{2}\.csv$", disposition?.FileName?.Trim('"'));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignInsCsv_NoMatchingRows_IsTheHeaderOnly()
    {
        var (_, body) = await GetCsvAsync($"{SignIns}?clientId={AdminApiHost.UniqueClientId("empty")}");

        Assert.Equal(SignInHeader, body);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignInsCsv_MoreRowsThanOnePage_ContainsEveryRow()
    {
        var user = Guid.NewGuid();
        await AuditRows.AddAsync(fixture.Host, [.. Enumerable.Range(0, 120).Select(i => AuditRows.SignIn(T.AddSeconds(i), user))]);

        var (_, body) = await GetCsvAsync($"{SignIns}?userId={user}");

        var lines = Lines(body);
        Assert.Equal(121, lines.Length);
        Assert.StartsWith(Stamp(T.AddSeconds(119)), lines[1], StringComparison.Ordinal); // newest first
        Assert.StartsWith(Stamp(T), lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignInsCsv_LargeExport_StreamsAllRows()
    {
        var client = AdminApiHost.UniqueClientId("large");
        var rows = Enumerable.Range(0, 5000).Select(i => AuditRows.SignIn(T.AddMilliseconds(i * 10), Guid.NewGuid(), clientId: client)).ToArray();
        await AuditRows.AddAsync(fixture.Host, rows);

        using var http = fixture.Host.CreateProtocolClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{SignIns}?clientId={client}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await fixture.AccessTokenAsync(TestSeed.Admin));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var header = await reader.ReadLineAsync();
        var count = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            Assert.Contains(client, line, StringComparison.Ordinal);
            count++;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SignInHeader.TrimEnd(), header);
        Assert.Equal(5000, count);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task ChangesCsv_Rows_AreExactWithJsonQuoted()
    {
        var target = AdminApiHost.UniqueClientId("csv-change");
        var actor = await AuditRows.UserIdAsync(fixture.Host, TestSeed.Admin);
        await AuditRows.AddAsync(fixture.Host,
            AuditRows.Change(T, target, "agency.create", actorId: actor, before: null, after: "{\"displayName\":\"=cmd|' /C calc'!A0\"}"),
            AuditRows.Change(T.AddSeconds(1), target, "agency.delete", actorId: null, actorName: "cli", after: null));

        var (response, body) = await GetCsvAsync($"{Changes}?targetId={target}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches(@"^onepass-changes-\d{4}-\d{2}-\d{2}\.csv$", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal(
            "time,actorId,actorName,action,targetType,targetId,before,after,ipAddress\r\n" +
            $"{Stamp(T.AddSeconds(1))},,cli,agency.delete,agency,{target},\"{{\"\"displayName\"\":\"\"Old\"\"}}\",,192.0.2.20\r\n" +
            $"{Stamp(T)},{actor},admin1,agency.create,agency,{target},,\"{{\"\"displayName\"\":\"\"=cmd|' /C calc'!A0\"\"}}\",192.0.2.20\r\n",
            body);
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AD-06")]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+1", "'+1")]
    [InlineData("-1", "'-1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "\"'\rx\"")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("a\nb", "\"a\nb\"")]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Field_Value_IsNeutralisedThenQuoted(string? value, string expected)
    {
        Assert.Equal(expected, AuditCsv.Field(value));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task OpenApi_CsvExports_DescribeTheirColumns()
    {
        using var http = fixture.Host.CreateProtocolClient();

        var document = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")).RootElement;

        var paths = document.GetProperty("paths");
        Assert.Contains(string.Join(", ", AuditCsv.SignInColumns),
            paths.GetProperty("/api/admin/audit/sign-ins.csv").GetProperty("get").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains(string.Join(", ", AuditCsv.ChangeColumns),
            paths.GetProperty("/api/admin/audit/changes.csv").GetProperty("get").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    private async Task<(HttpResponseMessage Response, string Body)> GetCsvAsync(string path)
    {
        var response = await fixture.GetAsAdminAsync(path);
        return (response.Response, response.Body);
    }

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static string[] Lines(string body) => body.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
}
