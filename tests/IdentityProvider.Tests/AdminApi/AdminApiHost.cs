using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using OnePass.IdentityProvider.Data;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi;

/// <summary>
/// A OnePass with an administration tool registered as a client (<c>admin-tool</c>: confidential, code +
/// refresh, implicit consent, scopes openid and onepass.admin) and two more administrators whose
/// accounts tests may change; helpers to get tokens through the code flow and call the admin API.
/// </summary>
public sealed class AdminApiHost : IAsyncLifetime
{
    public const string AdminScope = "onepass.admin";
    public const string ToolClient = "admin-tool";
    public const string ToolSecret = "admin-tool-secret-0123456789-0123456789";
    public const string ToolRedirect = "http://127.0.0.1:7010/signin-oidc";
    public const string DemotedAdmin = "admin2";
    public const string DisabledAdmin = "admin3";

    public static readonly Agency Tool = new(ToolClient, ToolSecret, ToolRedirect, "openid " + AdminScope);

    private readonly ConcurrentDictionary<(string Client, string User), Lazy<Task<string>>> _tokens = new();

    public OnePassHost Host { get; } = new(new OnePassHostOptions { ConfigureSeed = AddTool });

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

    /// <summary>Adds the tool client and the extra administrators to a seed.</summary>
    public static void AddTool(JsonObject seed)
    {
        // An operator may seed a tool with the admin scope (the admin API itself never grants it).
        seed["clients"]!.AsArray().Add(TestSeed.Client(ToolClient, ToolSecret, "Admin Tool", [ToolRedirect], [], "implicit",
            ["authorization_code", "refresh_token"], ["openid", AdminScope]));
        seed["users"]!.AsArray().Add(TestSeed.User(DemotedAdmin, "admin2@example.test", "Second Admin", "admin"));
        seed["users"]!.AsArray().Add(TestSeed.User(DisabledAdmin, "admin3@example.test", "Third Admin", "admin"));
    }

    /// <summary>An access token for <paramref name="username"/> from <paramref name="agency"/> (code flow), one per pair.</summary>
    public Task<string> AccessTokenAsync(string username, Agency? agency = null)
    {
        agency ??= Tool;
        return _tokens.GetOrAdd((agency.ClientId, username), _ => new Lazy<Task<string>>(async () =>
            (await agency.TokensAsync(Host, username))["access_token"]!)).Value;
    }

    /// <summary>GET on the admin API with an optional bearer token.</summary>
    public Task<ProtocolResponse> GetAsync(string path, string? accessToken) => GetAsync(Host, path, accessToken);

    public static async Task<ProtocolResponse> GetAsync(OnePassHost host, string path, string? accessToken)
    {
        using var client = host.CreateProtocolClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        return await ProtocolResponse.ReadAsync(await client.SendAsync(request));
    }

    public async Task<ProtocolResponse> GetAsAdminAsync(string path) => await GetAsync(path, await AccessTokenAsync(TestSeed.Admin));

    /// <summary>Any call on the admin API as the seeded administrator; <paramref name="body"/> goes as JSON.</summary>
    public async Task<ProtocolResponse> SendAsAdminAsync(HttpMethod method, string path, JsonNode? body = null) =>
        await SendAsync(method, path, body, await AccessTokenAsync(TestSeed.Admin));

    /// <summary>Any call on the admin API with an optional bearer token and an optional JSON body.</summary>
    public async Task<ProtocolResponse> SendAsync(HttpMethod method, string path, JsonNode? body, string? accessToken)
    {
        using var client = Host.CreateProtocolClient();
        using var request = new HttpRequestMessage(method, path);
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        }

        return await ProtocolResponse.ReadAsync(await client.SendAsync(request));
    }

    /// <summary>Writes outbox rows straight into the database (as single logout would).</summary>
    public Task AddNotificationsAsync(params LogoutNotification[] notifications) => Host.WithDatabaseAsync(async db =>
    {
        db.LogoutNotifications.AddRange(notifications);
        return await db.SaveChangesAsync();
    });

    /// <summary>
    /// An outbox row for <paramref name="clientId"/>. A pending row is due in a day, so the dispatcher leaves
    /// it alone; its URI is a closed port in case it does not.
    /// </summary>
    public static LogoutNotification Notification(string clientId, LogoutNotificationStatus status, DateTimeOffset createdAt,
        string subject = "subject-of-test", string sessionId = "sid-of-test") => new()
    {
        Id = Guid.NewGuid(),
        ClientId = clientId,
        Issuer = "http://localhost/",
        Uri = "http://127.0.0.1:9/backchannel-logout",
        Subject = subject,
        SessionId = sessionId,
        TokenId = Guid.NewGuid().ToString("N"),
        Reason = "SignedOut",
        Status = status,
        Attempts = status == LogoutNotificationStatus.Pending ? 0 : status == LogoutNotificationStatus.Delivered ? 1 : 8,
        CreatedAt = createdAt,
        NextAttemptAt = status == LogoutNotificationStatus.Pending ? DateTimeOffset.UtcNow.AddDays(1) : createdAt,
        DeliveredAt = status == LogoutNotificationStatus.Delivered ? createdAt.AddSeconds(1) : null,
        LastStatusCode = status switch
        {
            LogoutNotificationStatus.Delivered => 200,
            LogoutNotificationStatus.Failed => 503,
            _ => null,
        },
        LastError = status == LogoutNotificationStatus.Failed ? "The agency answered 503." : null,
    };

    /// <summary>A client id no other test uses, so each test sees only its own rows.</summary>
    public static string UniqueClientId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
