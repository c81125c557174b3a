using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OnePass.TestKit;

namespace OnePass.EndToEnd.Tests;

/// <summary>
/// OnePass and the sample agency site, both on <c>localhost</c> (different real ports, so one site for
/// the browser and a host name WebAuthn accepts as relying-party id), the agency configured with
/// <c>Agency__AcrValues=urn:onepass:loa:3</c>, and one headless Chromium (Debian's <c>/usr/bin/chromium</c>).
/// </summary>
public sealed class PasskeyAgencyFixture : IAsyncLifetime
{
    public const string Citizen = "citizen-passkey-agency";
    public const string ClientId = "agency-e2e-passkey";
    public const string ClientSecret = "e2e-passkey-secret-0123456789-0123456789";
    public const string RequiredAcr = "urn:onepass:loa:3";

    private IPlaywright? _playwright;

    public PasskeyAgencyFixture()
    {
        // The identity provider's seed names the agency's redirect URIs, so the agency's port comes first.
        var agencyPort = OnePassHost.FreePort();
        var agencyOrigin = $"http://localhost:{agencyPort}";
        var settings = new Dictionary<string, string?>();
        IdentityProvider = new OnePassHost(new OnePassHostOptions
        {
            RealSocket = true,
            Settings = settings,
            ConfigureSeed = seed =>
            {
                seed["users"]!.AsArray().Add(TestSeed.User(Citizen, "passkey-agency@example.test", "Pia Passkey"));
                seed["clients"]!.AsArray().Add(TestSeed.Client(ClientId, ClientSecret, "Passkey Agency",
                    [$"{agencyOrigin}/signin-oidc"], [$"{agencyOrigin}/signout-callback-oidc"], "explicit",
                    ["authorization_code"], ["openid", "profile", "email"]));
            },
        });
        Origin = $"http://localhost:{IdentityProvider.Port}";
        Issuer = new Uri(Origin + "/");
        settings["OnePass:Issuer"] = Issuer.ToString();
        settings["OnePass:Passkeys:RpId"] = "localhost";
        settings["OnePass:Passkeys:Origins:0"] = Origin;

        Agency = new AcrAgencySiteHost(agencyPort, Issuer, RequiredAcr);
    }

    public OnePassHost IdentityProvider { get; }

    /// <summary>OnePass as the browser reaches it, and the only origin passkey client data may name.</summary>
    public string Origin { get; }

    public Uri Issuer { get; }

    public AcrAgencySiteHost Agency { get; }

    public IBrowser Browser { get; private set; } = null!;

    public Uri At(string path) => new(Issuer, path);

    public async Task InitializeAsync()
    {
        IdentityProvider.EnsureStarted();
        Agency.StartServer();
        (_playwright, Browser) = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await Agency.DisposeAsync();
        IdentityProvider.Dispose();
    }
}

/// <summary>
/// samples/AgencySite on http://localhost:PORT with <c>Agency:AcrValues</c> set, recording the
/// <c>acr_values</c> of every authorization request its OpenID Connect handler builds (after the
/// sample's own event has run), so a test can tell what the agency asked for.
/// </summary>
public sealed class AcrAgencySiteHost : WebApplicationFactory<Samples.AgencySite.Program>
{
    private readonly Uri _authority;
    private readonly string _acrValues;

    public AcrAgencySiteHost(int port, Uri authority, string acrValues)
    {
        _authority = authority;
        _acrValues = acrValues;
        Origin = new Uri($"http://localhost:{port}/");
        UseKestrel(kestrel => kestrel.ListenLocalhost(port)); // not UseKestrel(port): it races the app's own start (aspnetcore #67714)
    }

    public Uri Origin { get; }

    /// <summary>The <c>acr_values</c> sent with each authorization request, in order.</summary>
    public ConcurrentQueue<string?> SentAcrValues { get; } = new();

    public Uri At(string path) => new(Origin, path);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Agency:Authority", _authority.ToString());
        builder.UseSetting("Agency:ClientId", PasskeyAgencyFixture.ClientId);
        builder.UseSetting("Agency:ClientSecret", PasskeyAgencyFixture.ClientSecret);
        builder.UseSetting("Agency:RequireHttpsMetadata", "false");
        builder.UseSetting("Agency:AcrValues", _acrValues);
        builder.ConfigureServices(services => services.PostConfigure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options =>
        {
            var sample = options.Events.OnRedirectToIdentityProvider;
            options.Events.OnRedirectToIdentityProvider = async context =>
            {
                await sample(context);
                SentAcrValues.Enqueue(context.ProtocolMessage.AcrValues);
            };
        }));
    }
}
