namespace OnePass.IdentityProvider.Tests.Deploy;

/// <summary>deploy/compose.yaml: the services issue 3 asks for, persistence, one configuration for every node.</summary>
public sealed class ComposeFileTests
{
    private static readonly string[] IdentityProviderNodes = ["idp-1", "idp-2"];

    private static readonly Dictionary<object, object> Services =
        DeployFiles.ReadDocuments(DeployFiles.ComposeFile).Single().Map("services")
        ?? throw new InvalidDataException("compose.yaml has no services.");

    private static Dictionary<object, object> Service(string name) =>
        Services.Map(name) ?? throw new Xunit.Sdk.XunitException($"compose.yaml has no service '{name}'.");

    [Theory]
    [InlineData("postgres")]
    [InlineData("redis")]
    [InlineData("idp-1")]
    [InlineData("idp-2")]
    [InlineData("admin-console")]
    [InlineData("proxy")]
    public void Compose_RequiredService_IsDefined(string name)
    {
        var service = Services.Map(name);

        Assert.NotNull(service);
        Assert.True(service.ContainsKey("image") || service.ContainsKey("build"), $"service '{name}' has neither image nor build.");
    }

    [Fact]
    public void Compose_Redis_RunsWithAppendOnlyPersistenceOnAVolume()
    {
        var redis = Service("redis");

        var command = redis.TryGetValue("command", out var value) ? value : null;
        var words = command switch
        {
            List<object> list => list.OfType<string>().ToList(),
            string text => [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries)],
            _ => [],
        };

        var flag = words.IndexOf("--appendonly");
        Assert.True(flag >= 0 && flag + 1 < words.Count && words[flag + 1] == "yes", $"redis command is '{string.Join(' ', words)}'.");
        Assert.Contains(redis.List("volumes").OfType<string>(), volume => volume.EndsWith(":/data", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ConnectionStrings__Database")]
    [InlineData("ConnectionStrings__Redis")]
    [InlineData("OnePass__DatabaseProvider")]
    [InlineData("OnePass__Issuer")]
    [InlineData("OnePass__KnownProxies__0")]
    [InlineData("OnePass__SeedFile")]
    public void Compose_IdentityProviderNodes_ShareTheSetting(string setting)
    {
        var values = IdentityProviderNodes.Select(node => Service(node).ComposeEnvironment().GetValueOrDefault(setting)).ToList();

        Assert.All(values, value => Assert.False(string.IsNullOrWhiteSpace(value), $"{setting} is not set on every node."));
        Assert.Single(values.Distinct(StringComparer.Ordinal));
    }

    [Fact]
    public void Compose_IdentityProviderNodes_UseTheComposeDatabaseAndRedis()
    {
        var environment = Service("idp-1").ComposeEnvironment();

        Assert.Equal("PostgreSQL", environment["OnePass__DatabaseProvider"]);
        Assert.Contains("Host=postgres;", environment["ConnectionStrings__Database"], StringComparison.Ordinal);
        Assert.StartsWith("redis:", environment["ConnectionStrings__Redis"], StringComparison.Ordinal);
        Assert.Equal("https://localhost/", environment["OnePass__Issuer"]);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("redis")]
    [InlineData("idp-1")]
    [InlineData("idp-2")]
    [InlineData("proxy")]
    public void Compose_ServiceOthersWaitFor_HasAHealthcheck(string name)
    {
        var test = Service(name).Map("healthcheck")?.TryGetValue("test", out var value) == true ? value : null;

        Assert.True(test is List<object> { Count: > 1 } or string { Length: > 0 }, $"service '{name}' has no healthcheck test.");
    }

    [Fact]
    public void Compose_EveryHealthyDependency_PointsAtAServiceWithAHealthcheck()
    {
        var waits = Services
            .SelectMany(service => (((Dictionary<object, object>)service.Value).Map("depends_on") ?? [])
                .Where(dependency => (dependency.Value as Dictionary<object, object>)?.Text("condition") == "service_healthy")
                .Select(dependency => $"{service.Key} -> {dependency.Key}"))
            .ToList();

        Assert.NotEmpty(waits);
        Assert.All(waits, wait => Assert.NotNull(Service(wait.Split(" -> ")[1]).Map("healthcheck")));
    }

    [Fact]
    public void Compose_IdentityProviderNodes_WaitForTheirDependenciesToBeHealthy()
    {
        foreach (var node in IdentityProviderNodes)
        {
            var dependsOn = Service(node).Map("depends_on") ?? [];

            Assert.Equal("service_healthy", dependsOn.Map("postgres")?.Text("condition"));
            Assert.Equal("service_healthy", dependsOn.Map("redis")?.Text("condition"));
        }
    }

    [Fact]
    public void Compose_Proxy_TerminatesTlsAndIsTheOnlyBelievedProxy()
    {
        var proxy = Service("proxy");
        var address = proxy.At("networks", "onepass", "ipv4_address") as string;
        var nginxConfig = File.ReadAllText(Path.Combine(DeployFiles.Deploy, "docker", "nginx.conf"));

        Assert.Contains(proxy.List("ports").OfType<string>(), port => port.StartsWith("443:", StringComparison.Ordinal));
        Assert.Contains("listen 443 ssl", nginxConfig, StringComparison.Ordinal);
        Assert.Contains("X-Forwarded-Proto $scheme", nginxConfig, StringComparison.Ordinal);
        Assert.All(IdentityProviderNodes, node => Assert.Equal(address, Service(node).ComposeEnvironment()["OnePass__KnownProxies__0"]));
    }
}
