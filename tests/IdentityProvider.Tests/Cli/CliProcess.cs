using System.Diagnostics;
using Microsoft.Data.Sqlite;
using OnePass.IdentityProvider.Tests.Seed;

namespace OnePass.IdentityProvider.Tests.Cli;

/// <summary>
/// Runs the identity provider as a real process (<c>dotnet OnePass.IdentityProvider.dll …</c>, the build
/// output copied next to the tests) on its own throwaway SQLite file, as an operator would (CONTRACT §1).
/// </summary>
public sealed class CliProcess : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("onepass-cli-").FullName;

    public string Directory => _directory;

    public string DatabasePath => Path.Combine(_directory, "onepass.db");

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "OnePass.IdentityProvider.dll");

    /// <param name="standardInput">When set, written to the process's standard input, which is then closed.</param>
    public async Task<CliResult> RunAsync(string[] args, IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.Where(name => name.StartsWith("OnePass__", StringComparison.OrdinalIgnoreCase) ||
            name.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ConnectionStrings__Database"] = $"Data Source={DatabasePath}";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', args)}' did not exit within {Timeout}: {await output}");
        }

        return new CliResult(process.ExitCode, await output, await error);
    }

    /// <summary>A digest of every row of every table of the process's database.</summary>
    public async Task<string> ChecksumAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False;Mode=ReadOnly");
        await connection.OpenAsync();
        return await TableChecksum.ComputeAsync(connection, await TablesAsync(connection));
    }

    public async Task<IReadOnlyList<string>> TablesAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False;Mode=ReadOnly");
        await connection.OpenAsync();
        return await TablesAsync(connection);
    }

    private static async Task<List<string>> TablesAsync(SqliteConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new List<string>();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(_directory, recursive: true);
    }
}

public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
