using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace OnePass.EndToEnd.Tests;

/// <summary>
/// One copy of samples/AgencySite on a real loopback port, configured for one client of the identity
/// provider. Its <see cref="Origin"/> host name decides its pairwise sector (127.0.0.1 and localhost differ).
/// </summary>
public sealed class AgencySiteHost : WebApplicationFactory<Samples.AgencySite.Program>
{
    private readonly Uri _authority;
    private readonly string _clientId;
    private readonly string _clientSecret;

    public AgencySiteHost(string hostName, int port, Uri authority, string clientId, string clientSecret)
    {
        _authority = authority;
        _clientId = clientId;
        _clientSecret = clientSecret;
        Origin = new Uri($"http://{hostName}:{port}/");
        UseKestrel(kestrel => kestrel.ListenLocalhost(port)); // not UseKestrel(port): it races the app's own start (aspnetcore #67714)
    }

    /// <summary>Where the browser reaches the site; the OIDC handler builds its redirect URIs from it.</summary>
    public Uri Origin { get; }

    public Uri At(string path) => new(Origin, path);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Agency:Authority", _authority.ToString());
        builder.UseSetting("Agency:ClientId", _clientId);
        builder.UseSetting("Agency:ClientSecret", _clientSecret);
        builder.UseSetting("Agency:RequireHttpsMetadata", "false");
    }
}
