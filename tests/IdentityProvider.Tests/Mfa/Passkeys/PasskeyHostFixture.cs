using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Mfa.Passkeys;

/// <summary>
/// One identity provider (issuer and origin <c>http://localhost</c>, so rpId <c>localhost</c>) with
/// extra citizens, so that each test enrols passkeys on a user nobody else touches.
/// </summary>
public sealed class PasskeyHostFixture : IDisposable
{
    public const string Origin = "http://localhost";
    private int _nextUser;

    public PasskeyHostFixture()
    {
        var redis = Environment.GetEnvironmentVariable(TestServices.RedisVariable);
        Host = new OnePassHost(new OnePassHostOptions
        {
            RedisConnectionString = string.IsNullOrWhiteSpace(redis) ? null : redis,
            ConfigureSeed = seed =>
            {
                var users = seed["users"]!.AsArray();
                for (var i = 1; i <= 40; i++)
                {
                    var name = UserName(i);
                    users.Add(TestSeed.User(name, name + "@example.test", "Passkey Citizen " + i.ToString(CultureInfo.InvariantCulture)));
                }
            },
        });
    }

    public OnePassHost Host { get; }

    /// <summary>A citizen no other test has used.</summary>
    public string NewUser() => UserName(Interlocked.Increment(ref _nextUser));

    private static string UserName(int i) => "passkey" + i.ToString("00", CultureInfo.InvariantCulture);

    public void Dispose() => Host.Dispose();
}

/// <summary>The calls passkeys.js makes, from a test browser.</summary>
public static class PasskeyCalls
{
    public static async Task<PasskeyAnswer> PostAsync(BrowserClient browser, string path, JsonNode? body, bool header = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/passkeys/" + path)
        {
            Content = new StringContent(body?.ToJsonString() ?? "{}", Encoding.UTF8, "application/json"),
        };
        return await SendAsync(browser, request, header);
    }

    public static async Task<PasskeyAnswer> PostRawAsync(BrowserClient browser, string path, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/passkeys/" + path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return await SendAsync(browser, request, header: true);
    }

    public static async Task<PasskeyAnswer> DeleteAsync(BrowserClient browser, Guid id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/account/passkeys/" + id);
        return await SendAsync(browser, request, header: true);
    }

    private static async Task<PasskeyAnswer> SendAsync(BrowserClient browser, HttpRequestMessage request, bool header)
    {
        if (header)
        {
            request.Headers.Add("X-OnePass-Passkey", "1");
        }

        var response = await browser.SendAsync(request);
        return new PasskeyAnswer(response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}

public sealed record PasskeyAnswer(HttpStatusCode Status, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Error => Body.StartsWith('{') && Json.TryGetProperty("error", out var error) ? error.GetString() : null;

    public override string ToString() => $"{(int)Status} {Body[..Math.Min(Body.Length, 800)]}";
}
