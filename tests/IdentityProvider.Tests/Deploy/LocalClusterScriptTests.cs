using System.Diagnostics;

namespace OnePass.IdentityProvider.Tests.Deploy;

/// <summary>deploy/local/cluster.sh: valid bash; Redis with append-only persistence as in every script we ship.</summary>
public sealed class LocalClusterScriptTests
{
    private static string Script => Path.Combine(DeployFiles.Deploy, "local", "cluster.sh");

    [Fact]
    public async Task ClusterScript_BashSyntaxCheck_Passes()
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-n");
        start.ArgumentList.Add(Script);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(process.ExitCode == 0, $"bash -n {Script}: {error}");
    }

    [Fact]
    public void ClusterScript_Redis_StartsWithAppendOnly()
    {
        var redisLine = File.ReadAllLines(Script).SkipWhile(line => !line.Contains("launch redis redis-server", StringComparison.Ordinal)).Take(2);

        Assert.Contains("--appendonly yes", string.Join(' ', redisLine), StringComparison.Ordinal);
    }

    [Fact]
    public void ClusterScript_StrictMode_IsOn()
    {
        Assert.Contains("set -euo pipefail", File.ReadAllLines(Script));
    }

    [Fact]
    public void HaproxyConfig_HealthCheck_UsesReadiness()
    {
        var config = File.ReadAllText(Path.Combine(DeployFiles.Deploy, "local", "haproxy.cfg"));

        Assert.Contains("http-check send meth GET uri /health/ready", config, StringComparison.Ordinal);
        Assert.Contains("balance roundrobin", config, StringComparison.Ordinal);
        Assert.Contains("option forwardfor", config, StringComparison.Ordinal);
    }
}
