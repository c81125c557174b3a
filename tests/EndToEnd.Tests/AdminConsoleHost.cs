using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace OnePass.EndToEnd.Tests;

/// <summary>The admin console (src/AdminConsole) on a real loopback port, signing in through the given OnePass.</summary>
public sealed class AdminConsoleHost : WebApplicationFactory<AdminConsole.Program>
{
    private readonly Uri _authority;

    public AdminConsoleHost(int port, Uri authority)
    {
        _authority = authority;
        Origin = new Uri($"http://127.0.0.1:{port}/");
        UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, port)); // not UseKestrel(port): it races the app's own start (aspnetcore #67714)
    }

    /// <summary>
    /// Where the browser reaches the console: the same site as OnePass (127.0.0.1), as in a real install where
    /// both are under one registrable domain, so the handler's SameSite=Lax correlation cookie survives OnePass's
    /// form_post back to the console over plain http; and a secure context, so the clipboard works.
    /// </summary>
    public Uri Origin { get; }

    public Uri At(string path) => new(Origin, path);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("OnePass:Authority", _authority.ToString());
        builder.UseSetting("OnePass:AdminConsole:RequireHttpsMetadata", "false");
    }
}
