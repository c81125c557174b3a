using System.Globalization;
using System.Net;

namespace OnePass.Cluster.Tests.Kit;

/// <summary>
/// One identity-provider process (<c>dotnet OnePass.IdentityProvider.dll</c>) on a loopback port. Every
/// node of a <see cref="OnePassCluster"/> has the same issuer; requests reach a node the way they would
/// through a reverse proxy that keeps the <c>Host</c> header (the issuer's authority).
/// </summary>
public sealed class IdentityNode : IAsyncDisposable
{
    private readonly ManagedProcess _process;

    internal IdentityNode(string name, int port, Uri issuer, ManagedProcess process)
    {
        Name = name;
        Port = port;
        Issuer = issuer;
        _process = process;
        BaseUri = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    public string Name { get; }

    public int Port { get; }

    public Uri Issuer { get; }

    /// <summary>The node's own address (not the issuer's).</summary>
    public Uri BaseUri { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string LogPath => _process.LogPath;

    /// <summary>The node's recent output, for failure messages.</summary>
    public string Log => $"--- node {Name} (port {Port}, log {LogPath}) ---\n{_process.Tail()}";

    public int MarkLog() => _process.Mark();

    public string LogSince(int mark) => $"--- node {Name} (port {Port}) ---\n{_process.Since(mark)}";

    /// <summary>A client for protocol calls to this node (no cookies, no redirects), with the issuer as Host.</summary>
    public HttpClient CreateProtocolClient(TimeSpan? timeout = null) =>
        new(new IssuerHostHandler(Issuer) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false } })
        {
            BaseAddress = BaseUri,
            Timeout = timeout ?? TimeSpan.FromSeconds(60),
        };

    /// <summary>The status of a GET, or null when nothing answers (connection refused, reset, timeout).</summary>
    public async Task<HttpStatusCode?> ProbeAsync(string path, TimeSpan? timeout = null)
    {
        using var http = CreateProtocolClient(timeout ?? TimeSpan.FromSeconds(5));
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200; fails with the node's output if it exits or takes too long.</summary>
    public Task WaitReadyAsync(TimeSpan? timeout = null) => WaitForAsync("/health/ready", timeout);

    /// <summary>Waits until <c>/health/live</c> answers 200 (the process serves, ready or not).</summary>
    public Task WaitLiveAsync(TimeSpan? timeout = null) => WaitForAsync("/health/live", timeout);

    /// <summary>SIGKILL: requests in flight die with the process.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>SIGSTOP: the node accepts connections (the kernel queues them) but handles nothing.</summary>
    public void Pause() => _process.Pause();

    /// <summary>SIGTERM: ASP.NET Core drains and stops.</summary>
    public Task StopAsync() => _process.StopAsync(TimeSpan.FromSeconds(15));

    public Task<bool> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private async Task WaitForAsync(string path, TimeSpan? timeout)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        HttpStatusCode? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Node {Name} exited with {_process.ExitCode} before {path} answered 200.\n{Log}");
            }

            last = await ProbeAsync(path, TimeSpan.FromSeconds(3));
            if (last == HttpStatusCode.OK)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Node {Name}: {path} did not answer 200 in time (last: {last?.ToString() ?? "no answer"}).\n{Log}");
    }

    /// <summary>Sends the issuer's authority as Host, as a proxy in front of the nodes would.</summary>
    private sealed class IssuerHostHandler(Uri issuer) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Host = issuer.Authority;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
