using System.Diagnostics;
using System.Text;

namespace OnePass.Cluster.Tests.Kit;

/// <summary>
/// A child process whose standard output and error go to a log file (and memory, for failure
/// messages). Disposing it kills it, so a failed test never leaves a server behind.
/// </summary>
public sealed class ManagedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();
    private bool _disposed;

    private ManagedProcess(Process process, string logPath)
    {
        _process = process;
        LogPath = logPath;
        _log = new StreamWriter(logPath, append: true, Encoding.UTF8) { AutoFlush = true };
    }

    public int Id => _process.Id;

    public string LogPath { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ManagedProcess Start(string fileName, IEnumerable<string> arguments, string logPath,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(logPath)!,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var managed = new ManagedProcess(process, logPath);
        process.OutputDataReceived += (_, e) => managed.Append(e.Data);
        process.ErrorDataReceived += (_, e) => managed.Append(e.Data);
        managed.Append($"$ {fileName} {string.Join(' ', arguments)}");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>Runs a command to its end; throws with its output when it fails or takes too long.</summary>
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, string logPath,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        await using var process = Start(fileName, arguments, logPath, environment, workingDirectory);
        var exited = await process.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(120));
        if (!exited || process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', arguments)} {(exited ? $"exited with {process.ExitCode}" : "timed out")}:\n{process.Tail()}");
        }

        return process.Output();
    }

    /// <summary>The whole captured output.</summary>
    public string Output()
    {
        lock (_gate)
        {
            return string.Join('\n', _lines);
        }
    }

    /// <summary>The last lines of output, for failure messages.</summary>
    public string Tail(int lines = 80)
    {
        lock (_gate)
        {
            return string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - lines)));
        }
    }

    /// <summary>The number of lines captured so far; <see cref="Since"/> returns what came after.</summary>
    public int Mark()
    {
        lock (_gate)
        {
            return _lines.Count;
        }
    }

    public string Since(int mark, int maxLines = 200)
    {
        lock (_gate)
        {
            var start = Math.Max(mark, _lines.Count - maxLines);
            return string.Join('\n', _lines.Skip(start));
        }
    }

    /// <summary>SIGKILL: the process gets no chance to finish anything.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            Signals.Send(_process.Id, Signals.Kill);
        }

        await WaitForExitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGTERM, then SIGKILL if it has not ended within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (!_process.HasExited)
        {
            Signals.Send(_process.Id, Signals.Term);
        }

        if (!await WaitForExitAsync(grace ?? TimeSpan.FromSeconds(10)))
        {
            await KillAsync();
        }
    }

    public void Pause() => Signals.Send(_process.Id, Signals.Stop);

    public void Resume() => Signals.Send(_process.Id, Signals.Cont);

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (!_process.HasExited)
            {
                Signals.Send(_process.Id, Signals.Cont); // a paused process cannot die until it runs again
                Signals.Send(_process.Id, Signals.Kill);
                await WaitForExitAsync(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            _process.Dispose();
            lock (_gate)
            {
                _log.Dispose();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Add(line);
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // Output that arrives after disposal is dropped.
            }
        }
    }
}
