using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.TestKit;
using OpenTelemetry.Trace;
using OtpNet;

namespace OnePass.IdentityProvider.Tests.Telemetry;

/// <summary>
/// One identity provider with everything an operator could switch on: every log category at Trace into
/// <see cref="Logs"/>, spans recorded into <see cref="Spans"/>, OTLP export to a collector that is down
/// (nothing listens on its port), and the management listener on <see cref="ManagementPort"/>.
/// </summary>
public sealed class TelemetryHostFixture : IDisposable
{
    public const string TotpUser = "telemetry-mfa";

    public TelemetryHostFixture()
    {
        TotpSecret = Base32Encoding.ToString(TotpAuthenticator.NewSecret());
        ManagementPort = OnePassHost.FreePort();
        Host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureSeed = seed =>
            {
                var user = TestSeed.User(TotpUser, "telemetry-mfa@example.test", "Telemetry Mfa");
                user["totpSecret"] = TotpSecret;
                seed["users"]!.AsArray().Add(user);
            },
            Settings =
            {
                ["OnePass:Management:Port"] = ManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{OnePassHost.FreePort()}",
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["Logging:LogLevel:Default"] = "Trace",
                ["Logging:LogLevel:Microsoft"] = "Trace",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
                ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Trace",
                ["Logging:LogLevel:OpenIddict"] = "Trace",
                ["Logging:LogLevel:System"] = "Trace",
            },
            ConfigureServices = services =>
            {
                services.AddSingleton<ILoggerProvider>(Logs);
                services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans));
            },
        });
        Host.EnsureStarted();
    }

    public OnePassHost Host { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public LockedCollection<Activity> Spans { get; } = [];

    public string TotpSecret { get; }

    public int ManagementPort { get; }

    public HttpClient CreateManagementClient() => new() { BaseAddress = new Uri($"http://127.0.0.1:{ManagementPort}/") };

    /// <summary>Scrapes <c>/metrics</c> and adds up the samples of <paramref name="metric"/> whose labels include all of <paramref name="labels"/>.</summary>
    public async Task<double> ScrapeAsync(string metric, params string[] labels)
    {
        using var client = CreateManagementClient();
        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return text.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
            .Where(line => labels.All(label => line.Contains(label, StringComparison.Ordinal)))
            .Sum(line => double.Parse(Regex.Match(line, @"\s(\S+)(\s\d+)?$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    public void Dispose() => Host.Dispose();
}

/// <summary>A collection safe to add to from several threads (spans end on any thread).</summary>
public sealed class LockedCollection<T> : Collection<T>
{
    private readonly Lock _lock = new();

    public T[] Snapshot()
    {
        lock (_lock)
        {
            return [.. Items];
        }
    }

    protected override void InsertItem(int index, T item)
    {
        lock (_lock)
        {
            base.InsertItem(index, item);
        }
    }
}
