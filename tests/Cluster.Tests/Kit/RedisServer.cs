using System.Net.Sockets;
using OnePass.TestKit;

namespace OnePass.Cluster.Tests.Kit;

/// <summary>
/// A throwaway <c>redis-server</c> on a loopback port with its own folder. With persistence it runs
/// append-only (as every deploy file we ship does); without, a restart loses everything. The port
/// stays the same across restarts, so the identity provider reconnects to the "same" server.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private ManagedProcess? _process;

    private RedisServer(int port, string directory)
    {
        Port = port;
        _directory = directory;
    }

    public int Port { get; }

    /// <summary>StackExchange.Redis syntax, for <c>ConnectionStrings__Redis</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    public bool Persistent { get; private set; }

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("Redis is not running.");

    /// <summary>Reserves a port and a folder without starting the server (CATALOGUE FT-01: Redis down at start).</summary>
    public static RedisServer Reserve() =>
        new(OnePassHost.FreePort(), Directory.CreateTempSubdirectory("onepass-redis-").FullName);

    public static async Task<RedisServer> CreateAsync(bool persistent = true)
    {
        var server = Reserve();
        await server.StartAsync(persistent: persistent, keepData: true);
        return server;
    }

    public async Task StartAsync(bool persistent = true, bool keepData = true)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("Redis is already running.");
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        if (!keepData)
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(_directory).Where(path => !path.EndsWith(".log", StringComparison.Ordinal)))
            {
                if (Directory.Exists(entry))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }
            }
        }

        Persistent = persistent;
        _process = ManagedProcess.Start("redis-server",
        [
            "--bind", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--dir", _directory, "--appendonly", persistent ? "yes" : "no", "--save", string.Empty,
            "--daemonize", "no", "--protected-mode", "no",
        ], Path.Combine(_directory, "redis.log"));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}:\n{_process.Tail()}");
            }

            if (await PingAsync())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"redis-server did not answer on {Port}:\n{_process.Tail()}");
    }

    /// <summary>A clean stop (SIGTERM): with persistence, the append-only file is flushed first.</summary>
    public Task StopAsync() => _process?.StopAsync() ?? Task.CompletedTask;

    /// <summary>SIGKILL, like a crash or an OOM kill.</summary>
    public Task KillAsync() => _process?.KillAsync() ?? Task.CompletedTask;

    /// <summary>Stops and starts again on the same port; without persistence every key is gone.</summary>
    public async Task RestartAsync(bool persistent)
    {
        await StopAsync();
        await StartAsync(persistent, keepData: persistent);
    }

    /// <summary>SIGSTOP: the server keeps its connections but answers nothing until <see cref="Resume"/>.</summary>
    public void Pause() => (_process ?? throw new InvalidOperationException("Redis is not running.")).Pause();

    public void Resume() => _process?.Resume();

    public string Log => _process?.Tail() ?? "(Redis never started)";

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The OS temp folder is cleaned anyway.
        }
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return read > 0 && System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }
}
