using Microsoft.Playwright;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.TestKit;
using OtpNet;

namespace OnePass.EndToEnd.Tests;

/// <summary>
/// OnePass, its admin console and headless Chromium, all on loopback: OnePass at 127.0.0.1 registers the
/// console (at 127.0.0.1 too) as onepass-admin from configuration, exactly as a real install does. The seeded
/// administrator uses an authenticator app; the console asks for two factors. The administrator signs in
/// once per fixture (<see cref="AdminPageAsync"/>), since a TOTP code is accepted only once.
/// </summary>
public sealed class AdminConsoleFixture : IAsyncLifetime, IDisposable
{
    public const string Administrator = "console-admin";

    private readonly SemaphoreSlim _signIn = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowserContext? _adminContext;

    public AdminConsoleFixture()
    {
        var consolePort = OnePassHost.FreePort();
        TotpSecret = Base32Encoding.ToString(TotpAuthenticator.NewSecret());
        IdentityProvider = new OnePassHost(new OnePassHostOptions
        {
            RealSocket = true,
            Settings =
            {
                ["OnePass:AdminConsole:Url"] = $"http://127.0.0.1:{consolePort}",
                // Shorter than the console's refresh margin (60 s): every admin API call of these tests makes the
                // console redeem its refresh token at OnePass first (rotation, one refresh at a time per session).
                ["OnePass:Tokens:AccessToken"] = "00:00:45",
            },
            ConfigureSeed = seed =>
            {
                var admin = TestSeed.User(Administrator, "console-admin@example.test", "Console Admin", "admin");
                admin["totpSecret"] = TotpSecret;
                seed["users"]!.AsArray().Add(admin);
            },
        });
        ConsoleApp = new AdminConsoleHost(consolePort, IdentityProvider.Issuer);
    }

    public OnePassHost IdentityProvider { get; }

    public AdminConsoleHost ConsoleApp { get; }

    public string TotpSecret { get; }

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        IdentityProvider.EnsureStarted();
        ConsoleApp.StartServer();
        (_playwright, Browser) = await Chromium.LaunchAsync();
    }

    /// <summary>
    /// A new page in the administrator's browser context, signed in to the console (password, then the
    /// authenticator-app code) the first time it is asked for.
    /// </summary>
    public async Task<IPage> AdminPageAsync()
    {
        await _signIn.WaitAsync();
        try
        {
            if (_adminContext is null)
            {
                var context = await Browser.NewContextAsync(new BrowserNewContextOptions { Permissions = ["clipboard-read", "clipboard-write"] });
                var page = await context.NewPageAsync();
                await page.GotoAsync(ConsoleApp.At("/").ToString());
                await page.FillAsync("input[name=username]", Administrator);
                await page.FillAsync("input[name=password]", TestSeed.Password);
                await page.ClickAsync("main form button[type=submit]");
                await page.Locator("input[name=code]").WaitForAsync();
                await page.FillAsync("input[name=code]", new Totp(Base32Encoding.ToBytes(TotpSecret)).ComputeTotp(DateTime.UtcNow));
                await page.ClickAsync("main form button[type=submit]");
                await page.WaitForURLAsync(url => url.StartsWith(ConsoleApp.Origin.ToString(), StringComparison.Ordinal));
                _adminContext = context;
                return page;
            }

            return await _adminContext.NewPageAsync();
        }
        finally
        {
            _signIn.Release();
        }
    }

    public async Task DisposeAsync()
    {
        if (_adminContext is not null)
        {
            await _adminContext.DisposeAsync();
        }

        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        ConsoleApp.Dispose();
        IdentityProvider.Dispose();
    }

    public void Dispose() => _signIn.Dispose();
}
