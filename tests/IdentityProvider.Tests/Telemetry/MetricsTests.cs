using System.Net;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Telemetry;

/// <summary>
/// OnePass's counters on the Prometheus endpoint, which only the management listener serves (issue 7,
/// "Operators' view"); OTLP export to a collector that is down never holds a sign-in up (CATALOGUE FT-18).
/// </summary>
[Collection(MetricsRunAlone.Name)]
public sealed class MetricsTests(TelemetryHostFixture fixture) : IClassFixture<TelemetryHostFixture>
{
    private OnePassHost Host => fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "FT-18")]
    public async Task PasswordSignIn_CountsASuccessfulPasswordSignIn()
    {
        var before = await fixture.ScrapeAsync("onepass_sign_ins_total", "method=\"pwd\"", "outcome=\"success\"");
        using var browser = Host.CreateBrowser();

        await browser.SignInAsync(TestSeed.Citizen);

        Assert.True(await fixture.ScrapeAsync("onepass_sign_ins_total", "method=\"pwd\"", "outcome=\"success\"") >= before + 1);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-18")]
    public async Task ClientCredentials_CountsATokenForTheGrantAndTheAgency()
    {
        var labels = new[] { "grant_type=\"client_credentials\"", $"agency=\"{TestSeed.MachineClient}\"" };
        var before = await fixture.ScrapeAsync("onepass_tokens_issued_total", labels);

        var response = await new TokenClient(Host.CreateProtocolClient()).ClientCredentialsAsync(TestSeed.MachineClient, TestSeed.MachineSecret);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(await fixture.ScrapeAsync("onepass_tokens_issued_total", labels) >= before + 1);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-18")]
    public async Task ClientCredentials_UnknownClient_AddsNoSeries()
    {
        var response = await new TokenClient(Host.CreateProtocolClient()).ClientCredentialsAsync("made-up-client-" + Guid.NewGuid().ToString("N"), "nope");

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        using var client = fixture.CreateManagementClient();
        Assert.DoesNotContain("made-up-client-", await client.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-18")]
    public async Task Metrics_OnThePublicListener_IsNotFound()
    {
        using var client = Host.CreateProtocolClient();

        var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("# TYPE", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-18")]
    public async Task Metrics_OnTheManagementListener_AnswersPrometheusTextWithOnePassGaugesAndHttpDurations()
    {
        using (var publicClient = Host.CreateProtocolClient())
        {
            (await publicClient.GetAsync(new Uri("/.well-known/openid-configuration", UriKind.Relative))).Dispose();
        }

        using var client = fixture.CreateManagementClient();

        var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("# TYPE onepass_sessions_active gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE onepass_backchannel_logout_pending gauge", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_bucket", text, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-18")]
    public async Task ManagementListener_OtherPaths_AreNotFound()
    {
        using var client = fixture.CreateManagementClient();

        var response = await client.GetAsync(new Uri("/connect/token", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-27")]
    public async Task Request_WithTraceparent_LogsCarryItsTraceId()
    {
        var traceId = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();
        using var client = Host.CreateProtocolClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        request.Headers.Add("traceparent", $"00-{traceId}-{System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString()}-01");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(fixture.Logs.Entries, entry => entry.Values.GetValueOrDefault("TraceId") == traceId && entry.Values.ContainsKey("RequestId"));
    }
}

/// <summary>
/// Metrics tests run alone. Meters are matched by name across the whole process, so while other test hosts
/// live, their <c>OnePass</c> meter and this host's share one metric stream, and a host disposed meanwhile takes
/// the shared gauges with it. A real node has one host.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsRunAlone
{
    public const string Name = "Metrics (alone: meters are process-wide)";
}
