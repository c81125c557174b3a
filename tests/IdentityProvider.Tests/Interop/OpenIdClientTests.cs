using System.Diagnostics;
using System.Runtime.CompilerServices;
using OnePass.TestKit;
using Xunit.Abstractions;

namespace OnePass.IdentityProvider.Tests.Interop;

/// <summary>
/// A Node.js agency on <c>openid-client</c> from npm (tests/interop/flow.mjs) runs the whole flow against
/// the identity provider on a real socket: discovery, code + PKCE, the HTML forms, RFC 9207 <c>iss</c>,
/// ID token validation, userinfo, refresh rotation and reuse detection, RP-initiated logout.
/// </summary>
public sealed class OpenIdClientTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly OnePassHost _host = new(new OnePassHostOptions { RealSocket = true });

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-10")]
    [Trait(Catalogue.Row, "AT-11")]
    public async Task OpenIdClient_FullFlowWithConfidentialClient_PassesEveryClientCheck()
    {
        var interop = Path.Combine(FindRepositoryRoot(), "tests", "interop");
        Assert.True(
            File.Exists(Path.Combine(interop, "node_modules", "openid-client", "package.json")),
            $"openid-client is not installed in {interop}: run ./test.sh (it runs npm ci in tests/interop)");
        _host.EnsureStarted();

        var result = await RunNodeAsync(interop, "flow.mjs", new Dictionary<string, string>
        {
            ["ISSUER"] = _host.Issuer.ToString(),
            ["CLIENT_ID"] = TestSeed.TaxClient,
            ["CLIENT_SECRET"] = TestSeed.TaxSecret,
            ["REDIRECT_URI"] = TestSeed.TaxRedirect,
            ["POST_LOGOUT_REDIRECT_URI"] = TestSeed.TaxPostLogout,
            ["USERNAME"] = TestSeed.Citizen,
            ["PASSWORD"] = TestSeed.Password,
        });

        output.WriteLine(result.Stdout);
        output.WriteLine(result.Stderr);
        Assert.True(result.ExitCode == 0, $"node flow.mjs exited with {result.ExitCode}\nstdout:\n{result.Stdout}\nstderr:\n{result.Stderr}");
        Assert.Contains("\"ok\": true", result.Stdout, StringComparison.Ordinal);
    }

    public void Dispose() => _host.Dispose();

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunNodeAsync(
        string workingDirectory, string script, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, await stdout, $"timed out after {Timeout.TotalSeconds} s\n{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// The folder holding OnePass.sln: above the test binaries, else (with --artifacts-path outside the
    /// repository) above the working directory or this source file.
    /// </summary>
    private static string FindRepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        string?[] starts = [AppContext.BaseDirectory, Directory.GetCurrentDirectory(), Path.GetDirectoryName(sourceFile)];
        foreach (var start in starts.OfType<string>().Where(path => path.Length > 0))
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "OnePass.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException($"OnePass.sln not found above {AppContext.BaseDirectory}.");
    }
}
