using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace OnePass.AdminConsole.Tests.Audit;

public sealed class AuditScreenTests : IClassFixture<ConsoleHost>
{
    private readonly ConsoleHost _host;

    public AuditScreenTests(ConsoleHost host)
    {
        _host = host;
        host.Api.Requests.Clear();
        host.Api.OnJson(HttpMethod.Get, "/api/admin/audit/sign-ins", AuditSamples.Page(AuditSamples.SignIn()));
        host.Api.OnJson(HttpMethod.Get, "/api/admin/audit/retention", AuditSamples.Retention);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignIns_WithTimesInAChosenOffset_SendsThemWithThatOffsetAndShowsRowsInIt()
    {
        using var client = _host.Browser();

        using var response = await client.GetAsync("/audit?From=2026-11-27T09:00&To=2026-11-27T18:30&Offset=%2B09:00&Method=pwd&Outcome=success&Agency=agency-tax");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var query = QueryHelpers.ParseQuery(_host.Api.Requests.Last(r => r.Uri.AbsolutePath == "/api/admin/audit/sign-ins").Uri.Query);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero), DateTimeOffset.Parse(query["from"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 9, 30, 0, TimeSpan.Zero), DateTimeOffset.Parse(query["to"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(("pwd", "success", "agency-tax"), (query["method"].ToString(), query["outcome"].ToString(), query["clientId"].ToString()));
        var document = await ConsoleHost.ParseAsync(response);
        Assert.Contains("2026-11-27 13:00:00 UTC+09:00", document.QuerySelector("table tbody")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("UTC+09:00", document.GetElementById("time-zone-hint")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignIns_WithoutAnOffset_SaysTimesAreUtc()
    {
        using var client = _host.Browser();

        using var response = await client.GetAsync("/audit");

        var document = await ConsoleHost.ParseAsync(response);
        Assert.Contains("are in UTC", document.GetElementById("time-zone-hint")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("2026-11-27 04:00:00 UTC", document.QuerySelector("table tbody")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignIns_ForAUsername_FiltersByThatUsersId()
    {
        _host.Api.OnJson(HttpMethod.Get, "/api/admin/users",
            $$"""{"items":[{"id":"{{AuditSamples.UserId}}","username":"citizen","email":null,"emailConfirmed":false,"name":null,"status":"active","lockedUntil":null,"failedAttempts":0,"roles":[],"version":"u-1"}],"total":1,"page":1,"pageSize":200}""");
        using var client = _host.Browser();

        using var response = await client.GetAsync("/audit?Person=citizen");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var query = QueryHelpers.ParseQuery(_host.Api.Requests.Last(r => r.Uri.AbsolutePath == "/api/admin/audit/sign-ins").Uri.Query);
        Assert.Equal(AuditSamples.UserId, query["userId"].ToString());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignIns_WithToBeforeFrom_ShowsTheErrorBesideToAndAsksNothing()
    {
        using var client = _host.Browser();

        using var response = await client.GetAsync("/audit?From=2026-11-27T09:00&To=2026-11-27T08:00");

        var document = await ConsoleHost.ParseAsync(response);
        Assert.Contains("The end must be after the start.", document.GetElementById("To-error")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("To-error", document.GetElementById("To")!.GetAttribute("aria-describedby"), StringComparison.Ordinal);
        Assert.Equal("#To", document.QuerySelector(".error-summary a")!.GetAttribute("href"));
        Assert.DoesNotContain(_host.Api.Requests, r => r.Uri.AbsolutePath.StartsWith("/api/admin/audit", StringComparison.Ordinal));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignIns_NextPageLink_KeepsTheFilterAndAsksForThatPage()
    {
        _host.Api.OnJson(HttpMethod.Get, "/api/admin/audit/sign-ins",
            $$"""{"items":[{{AuditSamples.SignIn()}}],"total":120,"page":1,"pageSize":50}""");
        using var client = _host.Browser();
        using var first = await client.GetAsync("/audit?Outcome=failure");
        var next = (await ConsoleHost.ParseAsync(first)).QuerySelector("a[rel='next']")!.GetAttribute("href")!;

        using var response = await client.GetAsync(next);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var query = QueryHelpers.ParseQuery(_host.Api.Requests.Last(r => r.Uri.AbsolutePath == "/api/admin/audit/sign-ins").Uri.Query);
        Assert.Equal(("failure", "2", "50"), (query["outcome"].ToString(), query["page"].ToString(), query["pageSize"].ToString()));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignIns_DownloadLink_CarriesTheFilter()
    {
        using var client = _host.Browser();

        using var response = await client.GetAsync("/audit?Method=otp&Offset=%2B09:00");

        var href = (await ConsoleHost.ParseAsync(response)).QuerySelector("a[download]")!.GetAttribute("href")!;
        var query = QueryHelpers.ParseQuery(new Uri(new Uri("http://console.test"), href).Query);
        Assert.Equal(("Csv", "otp", "+09:00"), (query["handler"].ToString(), query["Method"].ToString(), query["Offset"].ToString()));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignInsCsv_StreamsTheApiBodyAsItArrives_WithCsvHeadersAndTheBearerToken()
    {
        const string first = "time,userId,username,method,outcome,clientId,ipAddress,userAgent\r\n2026-11-27T04:00:00.000Z,,unknown,pwd,failure,,,\r\n";
        const string rest = "2026-11-27T03:00:00.000Z,,unknown,otp,success,,,\r\n";
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _host.Api.On(HttpMethod.Get, "/api/admin/audit/sign-ins.csv", _ =>
        {
            var content = new StreamContent(new GatedStream(System.Text.Encoding.UTF8.GetBytes(first), System.Text.Encoding.UTF8.GetBytes(rest), gate.Task));
            content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("text/csv; charset=utf-8");
            content.Headers.ContentDisposition = new System.Net.Http.Headers.ContentDispositionHeaderValue("attachment") { FileName = "onepass-sign-ins-2026-11-27.csv" };
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        });
        using var client = _host.Browser();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // The first rows reach the browser while the API has not finished: the console does not buffer the export.
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/audit?handler=Csv&Outcome=failure"), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        var received = await ReadAtLeastAsync(body, first.Length, timeout.Token);
        gate.SetResult();
        received += await new StreamReader(body).ReadToEndAsync(timeout.Token);

        Assert.Equal(first + rest, received);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("onepass-sign-ins-2026-11-27.csv", response.Content.Headers.ContentDisposition.FileName);
        var sent = _host.Api.Requests.Last(r => r.Uri.AbsolutePath == "/api/admin/audit/sign-ins.csv");
        Assert.Equal($"Bearer {TestTokens.AccessToken}", sent.Authorization);
        Assert.Equal("?outcome=failure", sent.Uri.Query);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SignInsCsv_WithAnInvalidFilter_Answers400WithTheFormAndNoFile()
    {
        using var client = _host.Browser();

        using var response = await client.GetAsync("/audit?handler=Csv&Offset=%2B99:00");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.DoesNotContain(_host.Api.Requests, r => r.Uri.AbsolutePath.EndsWith(".csv", StringComparison.Ordinal));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task ChangesCsv_StreamsTheApiBodyAsAnAttachment()
    {
        const string csv = "time,actorId,actorName,action,targetType,targetId,before,after,ipAddress\r\n2026-11-27T04:05:00.000Z,,admin,user.disable,user,u1,,,\r\n";
        _host.Api.On(HttpMethod.Get, "/api/admin/audit/changes.csv", _ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"),
        });
        using var client = _host.Browser();

        using var response = await client.GetAsync("/audit/changes?handler=Csv&TargetType=user");

        Assert.Equal(csv, await response.Content.ReadAsStringAsync());
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("onepass-changes.csv", response.Content.Headers.ContentDisposition!.FileName);
        Assert.Equal("?targetType=user", _host.Api.Requests.Last(r => r.Uri.AbsolutePath == "/api/admin/audit/changes.csv").Uri.Query);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Changes_ShowBeforeAndAfterAsAFieldByFieldDiff()
    {
        var before = new { displayName = "Old name", enabled = true, redirectUris = new[] { "https://a.example/cb" }, secret = new { rotatedAt = "2026-11-01T00:00:00Z" } };
        var after = new { displayName = "New name", enabled = true, redirectUris = new[] { "https://a.example/cb", "https://b.example/cb" }, secret = new { rotatedAt = "2026-11-01T00:00:00Z" } };
        _host.Api.OnJson(HttpMethod.Get, "/api/admin/audit/changes", AuditSamples.Page(AuditSamples.Change(before, after)));
        using var client = _host.Browser();

        using var response = await client.GetAsync("/audit/changes");

        var rows = (await ConsoleHost.ParseAsync(response)).QuerySelectorAll("details.diff tbody tr")
            .Select(row => string.Join(" | ", row.Children.Select(cell => cell.TextContent.Trim())))
            .ToList();
        Assert.Contains("displayName | Changed | Old name | New name", rows);
        Assert.Contains("redirectUris | Changed | https://a.example/cb | https://a.example/cb, https://b.example/cb", rows);
        Assert.Contains("enabled | Unchanged | yes | yes", rows);
        Assert.Contains("secret.rotatedAt | Unchanged | 2026-11-01T00:00:00Z | 2026-11-01T00:00:00Z", rows);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Changes_ForACreation_ShowsEveryFieldAsAdded()
    {
        _host.Api.OnJson(HttpMethod.Get, "/api/admin/audit/changes",
            AuditSamples.Page(AuditSamples.Change(null, new { name = "tax.read" }, action: "scope.create", targetType: "scope", targetId: "tax.read")));
        using var client = _host.Browser();

        using var response = await client.GetAsync("/audit/changes");

        var row = (await ConsoleHost.ParseAsync(response)).QuerySelector("details.diff tbody tr")!;
        Assert.Equal("name | Added | (empty) | tax.read", string.Join(" | ", row.Children.Select(cell => cell.TextContent.Trim())));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-02")]
    [Trait(Catalogue.Row, "AT-24")]
    public async Task Changes_WithHostileValues_ShowsThemAsText()
    {
        const string script = "<script>alert(1)</script>";
        _host.Api.OnJson(HttpMethod.Get, "/api/admin/audit/changes",
            AuditSamples.Page(AuditSamples.Change(new { displayName = "\"><img src=x onerror=alert(1)>" }, new { displayName = script }, targetId: script)));
        _host.Api.OnJson(HttpMethod.Get, "/api/admin/audit/sign-ins", AuditSamples.Page(AuditSamples.SignIn(username: script, userAgent: script, clientId: script)));
        using var client = _host.Browser();

        using var changes = await client.GetAsync("/audit/changes");
        using var signIns = await client.GetAsync("/audit");

        foreach (var html in new[] { await changes.Content.ReadAsStringAsync(), await signIns.Content.ReadAsStringAsync() })
        {
            Assert.DoesNotContain("<script>alert", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img src=x", html, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Retention_Save_SendsDaysAndTheVersionRead()
    {
        _host.Api.OnJson(HttpMethod.Put, "/api/admin/audit/retention", """{"days":90,"version":"r-2"}""");
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, "/audit/retention", new Dictionary<string, string[]> { ["Input.Days"] = ["90"] });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var sent = JsonNode.Parse(_host.Api.Requests.Last(r => r.Method == HttpMethod.Put).BodyText)!;
        Assert.Equal((90, "r-1"), ((int)sent["days"]!, (string?)sent["version"]));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-07")]
    public async Task Retention_WhenChangedMeanwhile_ShowsTheStaleVersionMessageAndKeepsTheInput()
    {
        _host.Api.OnJson(HttpMethod.Put, "/api/admin/audit/retention",
            """{"error":"conflict","error_description":"The retention setting changed since it was read; read it again and retry."}""", HttpStatusCode.Conflict);
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, "/audit/retention", new Dictionary<string, string[]> { ["Input.Days"] = ["90"] });

        var document = await ConsoleHost.ParseAsync(response);
        Assert.Contains("changed by someone else", document.QuerySelector(".error-summary")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("90", document.GetElementById("Input_Days")!.GetAttribute("value"));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Retention_OutOfRange_ShowsTheErrorBesideTheFieldAndSendsNothing()
    {
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, "/audit/retention", new Dictionary<string, string[]> { ["Input.Days"] = ["7"] });

        var document = await ConsoleHost.ParseAsync(response);
        Assert.Contains("from 30 to 3650", document.GetElementById("Input_Days-error")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("true", document.GetElementById("Input_Days")!.GetAttribute("aria-invalid"));
        Assert.DoesNotContain(_host.Api.Requests, r => r.Method == HttpMethod.Put);
    }

    private static async Task<string> ReadAtLeastAsync(Stream body, int length, CancellationToken cancellationToken)
    {
        var buffer = new byte[length];
        await body.ReadExactlyAsync(buffer, cancellationToken);
        return System.Text.Encoding.UTF8.GetString(buffer);
    }

    /// <summary>An API body that gives its first part at once and the rest only when the test opens the gate.</summary>
    private sealed class GatedStream(byte[] first, byte[] rest, Task gate) : Stream
    {
        private int _part;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            switch (_part)
            {
                case 0:
                    _part = 1;
                    first.CopyTo(buffer);
                    return first.Length;
                case 1:
                    await gate.WaitAsync(cancellationToken);
                    _part = 2;
                    rest.CopyTo(buffer);
                    return rest.Length;
                default:
                    return 0;
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
