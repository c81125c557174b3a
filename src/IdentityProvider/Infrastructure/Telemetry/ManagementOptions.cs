using System.ComponentModel.DataAnnotations;
using System.Net;

namespace OnePass.IdentityProvider.Infrastructure.Telemetry;

/// <summary>
/// <c>OnePass:Management</c>: the management listener that serves the Prometheus scrape endpoint
/// <c>/metrics</c>. It is a second, separate HTTP listener: the public port never answers <c>/metrics</c>.
/// Off unless a port is set; on loopback unless another address is set (for a scraper in another pod or
/// host, bind a private address and keep the port out of the proxy and the public service).
/// </summary>
public sealed class ManagementOptions
{
    public const string SectionName = "OnePass:Management";

    /// <summary>TCP port of the management listener, e.g. 9464; null or 0: no listener and no <c>/metrics</c>.</summary>
    [Range(0, 65535)]
    public int? Port { get; set; }

    /// <summary>IP address the management listener binds: 127.0.0.1 by default; 0.0.0.0 or :: for every interface.</summary>
    public string Address { get; set; } = IPAddress.Loopback.ToString();

    public bool Enabled => Port is > 0;
}
