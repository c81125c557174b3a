using System.Globalization;
using OnePass.TestKit;

namespace OnePass.Cluster.Tests.Kit;

/// <summary>
/// Identity-provider processes that share one database, one Redis and one issuer
/// (<c>http://127.0.0.1:&lt;issuer port&gt;/</c>, the port of the first node, "A"). A real deployment puts
/// one issuer behind a proxy; here each node is reached on its own port with the issuer as <c>Host</c>.
/// </summary>
public sealed class OnePassCluster : IAsyncDisposable
{
    private const string ServerAssembly = "OnePass.IdentityProvider.dll";

    private readonly List<IdentityNode> _nodes = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("onepass-cluster-").FullName;

    public OnePassCluster(string databaseConnectionString, string? redisConnectionString)
    {
        DatabaseConnectionString = databaseConnectionString;
        RedisConnectionString = redisConnectionString;
        IssuerPort = OnePassHost.FreePort();
        Issuer = new Uri($"http://127.0.0.1:{IssuerPort.ToString(CultureInfo.InvariantCulture)}/");
        SeedPath = TestSeed.Write(TestSeed.Create(), _directory);
    }

    public string DatabaseConnectionString { get; }

    public string? RedisConnectionString { get; }

    /// <summary>The port of node "A", named by the issuer every node shares.</summary>
    public int IssuerPort { get; }

    public Uri Issuer { get; }

    public string SeedPath { get; }

    public IReadOnlyList<IdentityNode> Nodes => _nodes;

    /// <summary>The server's build output, copied next to this test assembly by the project reference.</summary>
    public static string ServerPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, ServerAssembly);
            return File.Exists(path) && File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json"))
                ? path
                : throw new InvalidOperationException($"{ServerAssembly} (and its runtimeconfig.json) not found in {AppContext.BaseDirectory}: build the test project.");
        }
    }

    /// <summary>The server's wwwroot folder, named by the static web assets manifest the build writes next to it.</summary>
    private static string? WebRoot
    {
        get
        {
            var manifest = Path.ChangeExtension(ServerPath, ".staticwebassets.runtime.json");
            if (!File.Exists(manifest))
            {
                return null;
            }

            using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(manifest));
            return document.RootElement.GetProperty("ContentRoots").EnumerateArray()
                .Select(root => root.GetString())
                .FirstOrDefault(root => root is not null && root.TrimEnd('/').EndsWith("wwwroot", StringComparison.Ordinal) && Directory.Exists(root));
        }
    }

    /// <summary>
    /// Runs a command of the server (CONTRACT §1: <c>migrate</c>, <c>seed FILE</c>, <c>keys …</c>) with the
    /// cluster's configuration, on a throwaway port; its output.
    /// </summary>
    public Task<string> RunCommandAsync(params string[] arguments) =>
        RunCommandAsync(arguments, new Dictionary<string, string?>());

    public Task<string> RunCommandAsync(string[] arguments, IReadOnlyDictionary<string, string?> settings) =>
        ManagedProcess.RunAsync("dotnet", [ServerPath, .. arguments],
            Path.Combine(_directory, $"command-{arguments[0]}-{Guid.NewGuid():N}.log"),
            Environment(OnePassHost.FreePort(), settings), Path.GetDirectoryName(ServerPath));

    /// <summary>
    /// Starts a node; node "A" (the first with <paramref name="atIssuerPort"/>) listens on the issuer's port.
    /// <paramref name="settings"/> override the cluster's environment (null removes a variable).
    /// </summary>
    public async Task<IdentityNode> StartNodeAsync(string name, bool atIssuerPort = false, IReadOnlyDictionary<string, string?>? settings = null,
        bool waitReady = true)
    {
        var port = atIssuerPort ? IssuerPort : OnePassHost.FreePort();
        var process = ManagedProcess.Start("dotnet", [ServerPath],
            Path.Combine(_directory, $"node-{name}-{port.ToString(CultureInfo.InvariantCulture)}.log"),
            Environment(port, settings ?? new Dictionary<string, string?>()), Path.GetDirectoryName(ServerPath));
        var node = new IdentityNode(name, port, Issuer, process);
        lock (_nodes)
        {
            _nodes.Add(node);
        }

        if (waitReady)
        {
            await node.WaitReadyAsync();
        }

        return node;
    }

    /// <summary>Every node's recent output, for failure messages.</summary>
    public string Logs()
    {
        lock (_nodes)
        {
            return string.Join("\n", _nodes.Select(node => node.Log));
        }
    }

    public async ValueTask DisposeAsync()
    {
        IdentityNode[] nodes;
        lock (_nodes)
        {
            nodes = [.. _nodes];
        }

        await Task.WhenAll(nodes.Select(node => node.DisposeAsync().AsTask()));
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The OS temp folder is cleaned anyway.
        }
    }

    private Dictionary<string, string?> Environment(int port, IReadOnlyDictionary<string, string?> settings)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = null,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            ["OnePass__Issuer"] = Issuer.ToString(),
            ["OnePass__RequireHttps"] = "false",
            ["OnePass__DatabaseProvider"] = "PostgreSQL",
            ["OnePass__SeedFile"] = SeedPath,
            ["ConnectionStrings__Database"] = DatabaseConnectionString,
            ["ConnectionStrings__Redis"] = RedisConnectionString,
            // Workstation GC: several servers share two cores in CI.
            ["DOTNET_gcServer"] = "0",
            ["DOTNET_NOLOGO"] = "1",
            ["Logging__Console__FormatterName"] = "simple",
            // Static files (the front-channel logout script) from the project's wwwroot, as in a published app.
            ["ASPNETCORE_WEBROOT"] = WebRoot,
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        return environment;
    }
}
