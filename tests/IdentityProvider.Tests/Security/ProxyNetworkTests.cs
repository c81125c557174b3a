using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json.Nodes;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Security;

/// <summary>
/// Forwarded headers are believed from configured proxy networks (ingress controller pods change
/// address), and from nobody else (CATALOGUE IN-DS-01).
/// </summary>
public sealed class ProxyNetworkTests
{
    private static readonly IPAddress Proxy = IPAddress.Parse("10.1.2.3");

    private static OnePassHost ProductionHost(string key, string value) => new(new OnePassHostOptions
    {
        Environment = "Production",
        // The default seed's http redirect URIs are refused in Production: only the machine client.
        Seed = new JsonObject
        {
            ["clients"] = new JsonArray(TestSeed.Client(TestSeed.MachineClient, TestSeed.MachineSecret, "Batch Service", [], [], "implicit",
                ["client_credentials"], ["openid"])),
        },
        Settings = { ["OnePass:Issuer"] = "https://login.example.test/", ["OnePass:RequireHttps"] = "true", [key] = value },
        // The in-memory server has no peer address: requests come from the proxy's.
        ConfigureServices = services => services.AddSingleton<IStartupFilter, FromProxy>(),
    });

    private static async Task<HttpStatusCode> DiscoveryThroughProxyAsync(OnePassHost host)
    {
        using var http = host.CreateProtocolClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://login.example.test/.well-known/openid-configuration"));
        request.Headers.Add("X-Forwarded-Proto", "https");
        return (await http.SendAsync(request)).StatusCode;
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-DS-01")]
    public async Task ForwardedProto_FromAConfiguredNetwork_IsBelieved()
    {
        using var host = ProductionHost("OnePass:KnownNetworks:0", "10.0.0.0/8");

        Assert.Equal(HttpStatusCode.OK, await DiscoveryThroughProxyAsync(host));
        var bound = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OnePass.IdentityProvider.Infrastructure.OnePassOptions>>().Value;
        Assert.Equal(["10.0.0.0/8"], bound.KnownNetworks);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-DS-01")]
    public async Task ForwardedProto_FromOutsideTheConfiguredNetwork_IsIgnored()
    {
        using var host = ProductionHost("OnePass:KnownNetworks:0", "192.168.0.0/16");

        Assert.Equal(HttpStatusCode.BadRequest, await DiscoveryThroughProxyAsync(host));
    }

    [Theory]
    [InlineData("OnePass:KnownNetworks:0", "10.0.0.0/33")]
    [InlineData("OnePass:KnownNetworks:0", "not-a-network")]
    [InlineData("OnePass:KnownProxies:0", "10.0.0.300")]
    public void MalformedProxySetting_StopsTheStart(string key, string value)
    {
        using var host = ProductionHost(key, value);

        // The program prints the option's message and exits before serving (see KnownNetworks_AreValidatedAsCidr).
        Assert.ThrowsAny<InvalidOperationException>(() => host.CreateProtocolClient());
    }

    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("fd00::/8", true)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("10.0.0.0", false)]
    [InlineData("", false)]
    public void KnownNetworks_AreValidatedAsCidr(string network, bool valid)
    {
        var options = new OnePass.IdentityProvider.Infrastructure.OnePassOptions();
        options.KnownNetworks.Add(network);

        Assert.Equal(valid, OnePass.IdentityProvider.Infrastructure.WebServiceCollectionExtensions.ProxiesAreValid(options));
    }

    private sealed class FromProxy : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = Proxy;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
