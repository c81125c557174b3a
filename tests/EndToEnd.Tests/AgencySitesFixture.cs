using System.Text.Json.Nodes;
using OnePass.TestKit;

namespace OnePass.EndToEnd.Tests;

/// <summary>
/// The identity provider and two copies of the sample agency site, all on real loopback ports, as a
/// citizen's browser would see them: agency one at 127.0.0.1 (explicit consent), agency two at
/// localhost (implicit consent), hence in two pairwise sectors.
/// </summary>
public sealed class AgencySitesFixture : IDisposable
{
    public const string FirstClient = "agency-e2e-one";
    public const string FirstSecret = "e2e-one-secret-0123456789-0123456789-ab";
    public const string SecondClient = "agency-e2e-two";
    public const string SecondSecret = "e2e-two-secret-0123456789-0123456789-ab";

    public AgencySitesFixture()
    {
        // The identity provider's seed names the agencies' redirect URIs, so their ports come first.
        var firstPort = OnePassHost.FreePort();
        var secondPort = OnePassHost.FreePort();
        while (secondPort == firstPort)
        {
            secondPort = OnePassHost.FreePort();
        }

        IdentityProvider = new OnePassHost(new OnePassHostOptions
        {
            RealSocket = true,
            ConfigureSeed = seed =>
            {
                var clients = seed["clients"]!.AsArray();
                clients.Add(Agency(FirstClient, FirstSecret, "Agency One", $"http://127.0.0.1:{firstPort}", "explicit"));
                clients.Add(Agency(SecondClient, SecondSecret, "Agency Two", $"http://localhost:{secondPort}", "implicit"));
            },
        });
        IdentityProvider.EnsureStarted();

        First = new AgencySiteHost("127.0.0.1", firstPort, IdentityProvider.Issuer, FirstClient, FirstSecret);
        First.StartServer();
        Second = new AgencySiteHost("localhost", secondPort, IdentityProvider.Issuer, SecondClient, SecondSecret);
        Second.StartServer();
    }

    public OnePassHost IdentityProvider { get; }

    public AgencySiteHost First { get; }

    public AgencySiteHost Second { get; }

    public void Dispose()
    {
        Second.Dispose();
        First.Dispose();
        IdentityProvider.Dispose();
    }

    private static JsonObject Agency(string clientId, string secret, string name, string origin, string consent)
    {
        var client = TestSeed.Client(clientId, secret, name, [$"{origin}/signin-oidc"], [$"{origin}/signout-callback-oidc"], consent,
            ["authorization_code"], ["openid", "profile", "email"]);
        client["backchannelLogoutUri"] = $"{origin}/backchannel-logout"; // the sample's receiver
        return client;
    }
}
