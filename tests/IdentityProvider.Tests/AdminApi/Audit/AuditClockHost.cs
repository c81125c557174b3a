using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.Audit;

/// <summary>
/// A OnePass with the admin tool (as <see cref="AdminApiHost"/>) on a fake clock that moves only when a test
/// moves it, so statistics buckets and retention cut-offs are exact. The audit sweep runs every minute of
/// that clock.
/// </summary>
public sealed class AuditClockHost : IAsyncLifetime
{
    public static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private string? _token;

    public AuditClockHost()
    {
        Host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureSeed = AdminApiHost.AddTool,
            Settings = { ["OnePass:Audit:SweepInterval"] = SweepInterval.ToString() },
            ConfigureServices = services => services.AddSingleton<TimeProvider>(Time),
        });
    }

    // Whole seconds, so that rows written at "now" compare exactly.
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public OnePassHost Host { get; }

    public Task InitializeAsync()
    {
        Host.EnsureStarted();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Host.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The seeded administrator's token, fetched once (before any test moves the clock far).</summary>
    public async Task<string> TokenAsync() =>
        _token ??= (await AdminApiHost.Tool.TokensAsync(Host, TestSeed.Admin))["access_token"]!;

    public async Task<ProtocolResponse> GetAsync(string path) => await AdminApiHost.GetAsync(Host, path, await TokenAsync());

    public async Task<ProtocolResponse> SendAsync(HttpMethod method, string path, System.Text.Json.Nodes.JsonNode? body)
    {
        using var client = Host.CreateProtocolClient();
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await TokenAsync());
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        }

        return await ProtocolResponse.ReadAsync(await client.SendAsync(request));
    }
}
