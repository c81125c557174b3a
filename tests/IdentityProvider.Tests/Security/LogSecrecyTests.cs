using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Security;

/// <summary>
/// Nothing secret reaches the logs (CATALOGUE AT-27): after a full sign-in, code exchange, refresh,
/// userinfo, introspection and a wrong password, no log line (at any level OnePass or its libraries
/// emit with the shipped settings, OnePass's own at Debug) holds a password, a client secret, a code or a token.
/// </summary>
public sealed class LogSecrecyTests : IDisposable
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly OnePassHost _host;

    public LogSecrecyTests() => _host = new OnePassHost(new OnePassHostOptions
    {
        // The shipped log levels (appsettings.json), with OnePass's own categories at Debug. OpenIddict
        // itself logs whole requests, code_verifier included, at Information: it stays at Warning.
        Settings = { ["Logging:LogLevel:OnePass"] = "Debug" },
        ConfigureServices = services => services.AddSingleton<ILoggerProvider>(_logs),
    });

    public void Dispose() => _host.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "AT-27")]
    public async Task FullFlow_LogsNoPasswordSecretCodeOrToken()
    {
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync(TestSeed.OtherCitizen, "a wrong password that is long");
        var request = new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect) { Scope = "openid profile email offline_access" };
        var response = await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password));
        var tokens = new TokenClient(_host.CreateProtocolClient());
        var redeemed = await tokens.RedeemCodeAsync(TestSeed.HealthClient, TestSeed.HealthSecret, response.Code!, request.CodeVerifier, TestSeed.HealthRedirect);
        var refreshed = await tokens.RefreshAsync(TestSeed.HealthClient, TestSeed.HealthSecret, redeemed["refresh_token"]!);
        await tokens.UserInfoAsync(refreshed["access_token"]!);
        await tokens.IntrospectAsync(TestSeed.HealthClient, TestSeed.HealthSecret, refreshed["access_token"]!);

        string[] secrets =
        [
            TestSeed.Password, "a wrong password that is long", TestSeed.HealthSecret, response.Code!, request.CodeVerifier,
            redeemed["access_token"]!, redeemed["refresh_token"]!, redeemed["id_token"]!,
            refreshed["access_token"]!, refreshed["refresh_token"]!,
        ];
        var lines = _logs.Lines.ToArray();
        Assert.NotEmpty(lines);
        var leaks = secrets.SelectMany((secret, index) => lines
                .Where(line => line.Contains(secret, StringComparison.Ordinal))
                .Select(line => $"secret #{index} in: {line[..Math.Min(line.Length, 300)]}"))
            .ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, Lines);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
    }
}
