using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OnePass.TestKit;

/// <summary>Back-channel calls an agency makes: token, userinfo, introspection, revocation.</summary>
public sealed class TokenClient(HttpClient http)
{
    public Task<ProtocolResponse> RedeemCodeAsync(string clientId, string? secret, string code, string? verifier, string redirectUri) =>
        PostAsync("/connect/token", clientId, secret, new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = verifier,
        });

    public Task<ProtocolResponse> RefreshAsync(string clientId, string? secret, string refreshToken, string? scope = null) =>
        PostAsync("/connect/token", clientId, secret, new()
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["scope"] = scope,
        });

    public Task<ProtocolResponse> ClientCredentialsAsync(string clientId, string secret, string? scope = null) =>
        PostAsync("/connect/token", clientId, secret, new() { ["grant_type"] = "client_credentials", ["scope"] = scope });

    public Task<ProtocolResponse> IntrospectAsync(string clientId, string? secret, string token) =>
        PostAsync("/connect/introspect", clientId, secret, new() { ["token"] = token });

    public Task<ProtocolResponse> RevokeAsync(string clientId, string? secret, string token) =>
        PostAsync("/connect/revoke", clientId, secret, new() { ["token"] = token });

    public async Task<ProtocolResponse> UserInfoAsync(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await ProtocolResponse.ReadAsync(await http.SendAsync(request));
    }

    /// <summary>POSTs a form with client_secret_basic when a secret is given, else client_id in the body.</summary>
    public async Task<ProtocolResponse> PostAsync(string path, string clientId, string? secret, Dictionary<string, string?> fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        var body = fields.Where(pair => pair.Value is not null).ToDictionary(pair => pair.Key, pair => pair.Value!);
        if (secret is null)
        {
            body["client_id"] = clientId;
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(
                Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
        }

        request.Content = new FormUrlEncodedContent(body);
        return await ProtocolResponse.ReadAsync(await http.SendAsync(request));
    }
}

public sealed record ProtocolResponse(HttpResponseMessage Response, string Body)
{
    public HttpStatusCode Status => Response.StatusCode;

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? this[string name] => Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty(name, out var value)
        ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
        : null;

    public string? Error => this["error"];

    public static async Task<ProtocolResponse> ReadAsync(HttpResponseMessage response) =>
        new(response, await response.Content.ReadAsStringAsync());
}
