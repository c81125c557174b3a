using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Data;

namespace OnePass.TestKit;

/// <summary>
/// The identity provider under test, in process, on a throwaway database. By default it runs on the
/// in-memory test server with issuer <c>http://localhost/</c>; <see cref="OnePassHostOptions.RealSocket"/>
/// puts it on a loopback port for real clients (Microsoft's OIDC handler, openid-client, browsers).
/// </summary>
public class OnePassHost : WebApplicationFactory<Program>
{
    private readonly OnePassHostOptions _options;
    private readonly string _directory = Directory.CreateTempSubdirectory("onepass-test-").FullName;

    public OnePassHost() : this(new OnePassHostOptions())
    {
    }

    public OnePassHost(OnePassHostOptions options)
    {
        _options = options;
        Port = options.RealSocket ? FreePort() : 0;
        Issuer = options.RealSocket ? new Uri($"http://127.0.0.1:{Port}/") : new Uri("http://localhost/");
        if (options.RealSocket)
        {
            UseKestrel(kestrel => kestrel.ListenLocalhost(Port)); // not UseKestrel(Port): it races the app's own start (aspnetcore #67714)
        }
    }

    public int Port { get; }

    /// <summary>The configured issuer; every endpoint is under it.</summary>
    public Uri Issuer { get; }

    public string DataDirectory => _directory;

    /// <summary>The pickup folder the e-mails this host sends are written to (<c>*.eml</c>).</summary>
    public string MailDirectory => Path.Combine(_directory, "mail");

    public string DatabaseConnectionString => _options.PostgreSqlConnectionString ?? $"Data Source={Path.Combine(_directory, "onepass.db")}";

    /// <summary>A browser-like client: cookies kept, redirects not followed.</summary>
    public BrowserClient CreateBrowser()
    {
        EnsureStarted();
        var handler = _options.RealSocket
            ? new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }
            : (HttpMessageHandler)Server.CreateHandler();
        return new BrowserClient(new HttpClient(handler) { BaseAddress = Issuer }, this);
    }

    /// <summary>A plain client for protocol calls (no cookies, no redirects).</summary>
    public HttpClient CreateProtocolClient()
    {
        EnsureStarted();
        return _options.RealSocket
            ? new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Issuer }
            : CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = Issuer, HandleCookies = false });
    }

    public void EnsureStarted()
    {
        if (_options.RealSocket)
        {
            StartServer();
        }
        else
        {
            _ = Server;
        }
    }

    /// <summary>Runs code against the host's database in a fresh scope.</summary>
    public async Task<T> WithDatabaseAsync<T>(Func<OnePassDbContext, Task<T>> action)
    {
        EnsureStarted();
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<OnePassDbContext>());
    }

    public async Task WithServicesAsync(Func<IServiceProvider, Task> action)
    {
        EnsureStarted();
        await using var scope = Services.CreateAsyncScope();
        await action(scope.ServiceProvider);
    }

    /// <summary>Row counts of every table, to prove that bad input persisted nothing.</summary>
    public Task<IReadOnlyDictionary<string, long>> CountRowsAsync() => WithDatabaseAsync<IReadOnlyDictionary<string, long>>(async db =>
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        foreach (var table in db.Model.GetEntityTypes().Select(type => type.GetTableName()).OfType<string>().Distinct())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            counts[table] = Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }

        return counts;
    });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var seed = _options.Seed ?? TestSeed.Create();
        _options.ConfigureSeed?.Invoke(seed);
        var seedPath = TestSeed.Write(seed, _directory);

        builder.UseEnvironment(_options.Environment);
        builder.UseSetting("OnePass:Issuer", Issuer.ToString());
        builder.UseSetting("OnePass:RequireHttps", "false");
        builder.UseSetting("OnePass:SeedFile", seedPath);
        builder.UseSetting("OnePass:Email:PickupDirectory", MailDirectory);
        builder.UseSetting("OnePass:DatabaseProvider", _options.PostgreSqlConnectionString is null ? "Sqlite" : "PostgreSQL");
        builder.UseSetting("ConnectionStrings:Database", DatabaseConnectionString);
        if (_options.RedisConnectionString is not null)
        {
            builder.UseSetting("ConnectionStrings:Redis", _options.RedisConnectionString);

            // Hosts share the test Redis: each is its own deployment, with its own keys there.
            builder.UseSetting("OnePass:Sessions:RedisKeyPrefix", $"test:{Path.GetFileName(_directory)}:");

            // Many hosts share two cores in CI: a busy moment must not turn into a 503 (the fault tests
            // run real processes with the production default of one second).
            builder.UseSetting("OnePass:RedisTimeout", "00:00:05");
        }

        foreach (var (key, value) in _options.Settings)
        {
            builder.UseSetting(key, value);
        }

        if (_options.ConfigureServices is not null)
        {
            builder.ConfigureServices(_options.ConfigureServices);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may still hold the file for a moment; the OS temp folder is cleaned anyway.
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class OnePassHostOptions
{
    public bool RealSocket { get; init; }

    public string Environment { get; init; } = "Development";

    /// <summary>A full seed instead of <see cref="TestSeed.Create"/>.</summary>
    public JsonObject? Seed { get; init; }

    /// <summary>Changes to the default seed (add a client, a user…).</summary>
    public Action<JsonObject>? ConfigureSeed { get; init; }

    /// <summary>Run on PostgreSQL instead of SQLite (a fresh database per host; see <see cref="TestServices"/>).</summary>
    public string? PostgreSqlConnectionString { get; init; }

    public string? RedisConnectionString { get; init; }

    public Dictionary<string, string?> Settings { get; init; } = [];

    public Action<IServiceCollection>? ConfigureServices { get; init; }
}
