using Microsoft.Playwright;
using OnePass.TestKit;

namespace OnePass.EndToEnd.Tests;

/// <summary>
/// OnePass on a real loopback port reached as <c>http://localhost:PORT</c> (Chromium refuses an IP
/// address as WebAuthn relying-party id), with the passkey relying party set to <c>localhost</c>, and
/// one headless Chromium (Debian's <c>/usr/bin/chromium</c>) for the tests to open contexts in.
/// </summary>
public sealed class MfaBrowserFixture : IAsyncLifetime
{
    /// <summary>One citizen per test: a second factor, once enrolled, changes how that citizen signs in.</summary>
    public const string PasskeyCitizen = "citizen-passkey";
    public const string OriginCitizen = "citizen-origin";
    public const string TotpCitizen = "citizen-totp";

    private IPlaywright? _playwright;

    public MfaBrowserFixture()
    {
        var settings = new Dictionary<string, string?>();
        IdentityProvider = new OnePassHost(new OnePassHostOptions
        {
            RealSocket = true,
            Settings = settings,
            ConfigureSeed = seed =>
            {
                var users = seed["users"]!.AsArray();
                users.Add(TestSeed.User(PasskeyCitizen, "passkey@example.test", "Pat Passkey"));
                users.Add(TestSeed.User(OriginCitizen, "origin@example.test", "Oli Origin"));
                users.Add(TestSeed.User(TotpCitizen, "totp@example.test", "Toni Totp"));
            },
        });
        Origin = $"http://localhost:{IdentityProvider.Port}";
        Issuer = new Uri(Origin + "/");
        settings["OnePass:Issuer"] = Issuer.ToString();
        settings["OnePass:Passkeys:RpId"] = "localhost";
        settings["OnePass:Passkeys:Origins:0"] = Origin;
    }

    public OnePassHost IdentityProvider { get; }

    /// <summary>The origin pages are served from (and the only one passkey client data may name).</summary>
    public string Origin { get; }

    /// <summary>The issuer tokens carry: <see cref="Origin"/>, not the host's 127.0.0.1 default.</summary>
    public Uri Issuer { get; }

    /// <summary>The same server under another origin (http://127.0.0.1:PORT).</summary>
    public string OtherOrigin => $"http://127.0.0.1:{IdentityProvider.Port}";

    public IBrowser Browser { get; private set; } = null!;

    public Uri At(string path) => new(Issuer, path);

    public async Task InitializeAsync()
    {
        IdentityProvider.EnsureStarted();
        (_playwright, Browser) = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        IdentityProvider.Dispose();
    }
}
