using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace OnePass.IdentityProvider.Infrastructure.Telemetry;

/// <summary>
/// The management listener (<see cref="ManagementOptions"/>): a small Kestrel server of its own, started and
/// stopped with the node, that answers <c>GET /metrics</c> (Prometheus text from the node's OpenTelemetry
/// meter provider) and 404 to everything else. Being a separate server on its own port, it is never reachable
/// through the public listener, the reverse proxy or the public pipeline's middleware.
/// </summary>
public sealed class ManagementServer(IOptions<ManagementOptions> options, MeterProvider meterProvider, ILogger<ManagementServer> logger)
    : IHostedService, IAsyncDisposable
{
    public const string MetricsPath = "/metrics";

    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        var address = IPAddress.Parse(settings.Address);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(address, settings.Port!.Value);
        });
        _app = builder.Build();
        _app.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider, predicate: null, MetricsPath, configureBranchedPipeline: null, optionsName: null);
        _app.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await _app.StartAsync(cancellationToken);
        logger.LogInformation("Management listener on {Addresses} serves {Path}.",
            string.Join(", ", _app.Services.GetRequiredService<IServer>().Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? []),
            MetricsPath);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
    }
}
