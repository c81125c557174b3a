using System.Net;
using Microsoft.Extensions.Logging.Console;
using OpenIddict.Server;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OnePass.IdentityProvider.Infrastructure.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    public const string ServiceName = "onepass-identity-provider";

    /// <summary>
    /// Operators' view (issue 7): OnePass's own counters (<see cref="OnePassMetrics"/>); OpenTelemetry metrics
    /// (ASP.NET Core, HttpClient, EF Core, runtime, OnePass) and traces (ASP.NET Core, HttpClient, EF Core,
    /// Redis) exported over OTLP when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or the per-signal
    /// <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c> / <c>_METRICS_ENDPOINT</c>) is set — nothing is exported, and
    /// no span is recorded, without it; Prometheus <c>/metrics</c> on the management listener only
    /// (<see cref="ManagementServer"/>); JSON console logs with scopes outside Development.
    /// </summary>
    public static IHostApplicationBuilder AddOnePassTelemetry(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;

        services.AddOptions<ManagementOptions>()
            .Bind(configuration.GetSection(ManagementOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(management => IPAddress.TryParse(management.Address, out _),
                "OnePass__Management__Address must be an IP address (127.0.0.1 by default, 0.0.0.0 for every interface).")
            .ValidateOnStart();

        services.AddSingleton<OperationalGauges>();
        services.AddSingleton<OnePassMetrics>();
        services.AddOpenIddict().AddServer(server => server.AddEventHandler(CountIssuedTokens.Descriptor));

        AddLogging(builder);

        var management = configuration.GetSection(ManagementOptions.SectionName).Get<ManagementOptions>() ?? new ManagementOptions();
        var otlpTraces = IsSet(configuration, "OTEL_EXPORTER_OTLP_ENDPOINT") || IsSet(configuration, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        var otlpMetrics = IsSet(configuration, "OTEL_EXPORTER_OTLP_ENDPOINT") || IsSet(configuration, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
        if (!otlpTraces && !otlpMetrics && !management.Enabled)
        {
            return builder; // nothing to export to: no listener, so no measurement costs anything
        }

        var redis = !string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis"));
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : ServiceName));

        if (otlpMetrics || management.Enabled)
        {
            telemetry.WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddMeter("Microsoft.EntityFrameworkCore", "Microsoft.AspNetCore.Identity", "System.Runtime", OnePassMetrics.MeterName)
                    .AddInstrumentation(provider => provider.GetRequiredService<OnePassMetrics>()); // its gauges exist from the start
                if (otlpMetrics)
                {
                    metrics.AddOtlpExporter();
                }

                if (management.Enabled)
                {
                    // No scrape cache: each scrape reads the instruments now (scrapes are seconds apart anyway),
                    // so a counter read right after an event includes it.
                    metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                }
            });
        }

        if (otlpTraces)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation(aspNetCore =>
                        aspNetCore.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                    .AddHttpClientInstrumentation()
                    .AddEntityFrameworkCoreInstrumentation();
                if (redis)
                {
                    tracing.AddRedisInstrumentation();
                }

                tracing.AddOtlpExporter();
            });
        }

        if (management.Enabled)
        {
            services.AddHostedService<ManagementServer>();
        }

        return builder;
    }

    /// <summary>
    /// JSON lines with scopes outside Development (each line of a request carries its <c>TraceId</c> — the
    /// incoming <c>traceparent</c>'s when there is one —, <c>SpanId</c>, <c>RequestId</c> and <c>RequestPath</c>);
    /// the plain console format in Development. <c>Logging__Console__FormatterName</c> overrides the choice.
    /// </summary>
    private static void AddLogging(IHostApplicationBuilder builder)
    {
        builder.Services.PostConfigure<LoggerFilterOptions>(LogSecrecy.Apply);
        if (!builder.Environment.IsDevelopment() && !IsSet(builder.Configuration, "Logging:Console:FormatterName"))
        {
            builder.Logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            });
        }
    }

    private static bool IsSet(IConfiguration configuration, string key) => !string.IsNullOrWhiteSpace(configuration[key]);
}
