using System.Globalization;
using Npgsql;
using OnePass.TestKit;

namespace OnePass.Cluster.Tests.Kit;

/// <summary>
/// A throwaway PostgreSQL cluster (initdb + pg_ctl, like <c>./test.sh</c>) for tests that stop or kill
/// the database. Tests that leave the server alone use the shared one (<see cref="TestServices"/>).
/// As root the server runs as the <c>postgres</c> user; loopback connections are trusted.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _bin;

    private PostgresServer(string directory, string bin, int port)
    {
        _directory = directory;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    private string DataDirectory => Path.Combine(_directory, "data");

    private string LogPath => Path.Combine(_directory, "kit.log");

    /// <summary>A connection string to <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        // Fail fast while the server is down, so a test sees the outage instead of waiting on it.
        Timeout = 3,
    }.ConnectionString;

    public static async Task<PostgresServer> CreateAsync()
    {
        var directory = Directory.CreateTempSubdirectory("onepass-pg-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var server = new PostgresServer(directory, FindBin(), OnePassHost.FreePort());
        try
        {
            if (Environment.UserName == "root")
            {
                await ManagedProcess.RunAsync("chown", ["postgres:postgres", directory], server.LogPath);
            }

            await server.AsPostgresAsync(Path.Combine(server._bin, "initdb"),
                ["-D", server.DataDirectory, "-U", "postgres", "--auth-local=trust", "--auth-host=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async Task StartAsync()
    {
        await AsPostgresAsync(Path.Combine(_bin, "pg_ctl"),
        [
            "-D", DataDirectory, "-l", Path.Combine(_directory, "postgres.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c max_connections=100 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "start",
        ]);
    }

    /// <summary>A clean stop (<c>pg_ctl stop -m fast</c>): sessions are ended, the data is flushed.</summary>
    public Task StopAsync() => AsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "stop"]);

    /// <summary>SIGKILL to the postmaster and every backend: a crash; the next start runs recovery.</summary>
    public async Task KillAsync()
    {
        var pid = PostmasterId();
        if (pid is null)
        {
            return;
        }

        var processes = Signals.Children(pid.Value).Append(pid.Value).ToList();
        foreach (var process in processes)
        {
            Signals.Send(process, Signals.Kill);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (processes.Any(Signals.IsAlive) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// SIGSTOP to the postmaster and every backend: connections stay open and queries sent now wait,
    /// so requests that reach the database are caught in flight. <see cref="Resume"/>, <see cref="StopAsync"/>
    /// after it, or <see cref="KillAsync"/> ends the pause.
    /// </summary>
    public void Pause() => SignalAll(Signals.Stop);

    public void Resume() => SignalAll(Signals.Cont);

    /// <summary>Resumes a paused server if it still runs (after a kill nothing is left to resume).</summary>
    public void ResumeIfRunning()
    {
        if (PostmasterId() is not null)
        {
            SignalAll(Signals.Cont);
        }
    }

    /// <summary>Creates a database; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public string Log => File.Exists(Path.Combine(_directory, "postgres.log"))
        ? string.Join('\n', File.ReadLines(Path.Combine(_directory, "postgres.log")).TakeLast(60))
        : "(no PostgreSQL log)";

    public async ValueTask DisposeAsync()
    {
        try
        {
            NpgsqlConnection.ClearAllPools();
            await KillAsync();
        }
        finally
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // The OS temp folder is cleaned anyway.
            }
        }
    }

    private void SignalAll(int signal)
    {
        var pid = PostmasterId() ?? throw new InvalidOperationException("PostgreSQL is not running.");
        foreach (var process in Signals.Children(pid).Append(pid))
        {
            Signals.Send(process, signal);
        }
    }

    private int? PostmasterId()
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var first = File.ReadLines(pidFile).FirstOrDefault();
        return int.TryParse(first, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) && Signals.IsAlive(pid) ? pid : null;
    }

    // Run from the server's own folder: the postgres user may not be allowed into the checkout's.
    private Task<string> AsPostgresAsync(string program, string[] arguments) => Environment.UserName == "root"
        ? ManagedProcess.RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments], LogPath, workingDirectory: _directory)
        : ManagedProcess.RunAsync(program, arguments, LogPath, workingDirectory: _directory);

    // Debian keeps server binaries per major version; take the newest.
    private static string FindBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "pg_ctl")) && File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
                .FirstOrDefault() ?? throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql/*/bin.")
            : throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql/*/bin.");
}
