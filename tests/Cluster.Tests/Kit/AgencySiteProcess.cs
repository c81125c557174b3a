using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using OnePass.TestKit;

namespace OnePass.Cluster.Tests.Kit;

/// <summary>
/// One copy of samples/AgencySite as its own process (<c>dotnet OnePass.Samples.AgencySite.dll</c>) on a
/// loopback port: Microsoft's OpenID Connect handler against the cluster's issuer, and the sample's
/// back-channel logout receiver (a real JOSE library validating the logout token). Its host name decides
/// its pairwise sector (127.0.0.1 and localhost differ).
/// </summary>
public sealed class AgencySiteProcess : IAsyncDisposable
{
    private readonly ManagedProcess _process;

    private AgencySiteProcess(Uri origin, ManagedProcess process)
    {
        Origin = origin;
        _process = process;
    }

    public Uri Origin { get; }

    public Uri At(string path) => new(Origin, path);

    public string Log => $"--- agency site {Origin} ---\n{_process.Tail()}";

    /// <summary>The sample's build output (its path is written into this assembly by the project file).</summary>
    public static string AssemblyPath =>
        typeof(AgencySiteProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "AgencySitePath")?.Value
            is { Length: > 0 } path && File.Exists(path)
            ? path
            : throw new InvalidOperationException("The sample agency site's assembly was not found: build the test project.");

    /// <summary>An agency client for the seed, with the sample's callback, sign-out and back-channel logout URIs.</summary>
    public static JsonObject SeedClient(string clientId, string secret, string name, Uri origin, string consent)
    {
        var root = origin.ToString().TrimEnd('/');
        var client = TestSeed.Client(clientId, secret, name, [$"{root}/signin-oidc"], [$"{root}/signout-callback-oidc"], consent,
            ["authorization_code"], ["openid", "profile", "email"]);
        client["backchannelLogoutUri"] = $"{root}/backchannel-logout";
        return client;
    }

    /// <summary>Starts the site at <paramref name="origin"/> for <paramref name="clientId"/> and waits until it answers.</summary>
    public static async Task<AgencySiteProcess> StartAsync(Uri origin, Uri issuer, string clientId, string secret, string logDirectory)
    {
        var path = AssemblyPath;
        var process = ManagedProcess.Start("dotnet", [path],
            Path.Combine(logDirectory, $"agency-{clientId}-{origin.Port.ToString(CultureInfo.InvariantCulture)}.log"),
            new Dictionary<string, string?>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_ENVIRONMENT"] = null,
                ["ASPNETCORE_URLS"] = origin.GetLeftPart(UriPartial.Authority),
                ["Agency__Authority"] = issuer.ToString(),
                ["Agency__ClientId"] = clientId,
                ["Agency__ClientSecret"] = secret,
                ["Agency__RequireHttpsMetadata"] = "false",
                ["DOTNET_gcServer"] = "0",
                ["DOTNET_NOLOGO"] = "1",
            }, Path.GetDirectoryName(path));
        var site = new AgencySiteProcess(origin, process);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (true)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"The agency site exited with {process.ExitCode}.\n{site.Log}");
                }

                try
                {
                    using var response = await http.GetAsync(origin);
                    if (response.IsSuccessStatusCode)
                    {
                        return site;
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet.
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"The agency site did not answer in time.\n{site.Log}");
                }

                await Task.Delay(100);
            }
        }
        catch
        {
            await site.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
