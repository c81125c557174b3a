using System.Net;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Deploy;

/// <summary>
/// Probes (kubelet, HAProxy, Docker) call a node over plain HTTP behind the TLS-terminating proxy. With
/// RequireHttps on (the Production default) the health endpoints must still answer their real state, not
/// a redirect to https that a kubelet counts as success and a Docker healthcheck as failure.
/// </summary>
public sealed class HealthOverPlainHttpTests : IDisposable
{
    private readonly OnePassHost _host = new(new OnePassHostOptions
    {
        Environment = "Production",
        Seed = [], // the test seed's loopback agencies are refused while HTTPS is required
        Settings = { ["OnePass:Issuer"] = "https://login.example.test/", ["OnePass:RequireHttps"] = "true" },
    });

    public void Dispose() => _host.Dispose();

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task HealthEndpoint_PlainHttpWithHttpsRequired_AnswersWithoutRedirect(string path)
    {
        _host.EnsureStarted();
        using var client = new HttpClient(_host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost/") };

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
