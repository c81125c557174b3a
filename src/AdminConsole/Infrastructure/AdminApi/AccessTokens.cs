using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using OnePass.AdminConsole.Infrastructure.Authentication;

namespace OnePass.AdminConsole.Infrastructure.AdminApi;

/// <summary>The administrator's current access token for the admin API.</summary>
public interface IAccessTokenSource
{
    /// <summary>A token valid for at least a minute; <see cref="AdminApiSignInRequiredException"/> when there is none.</summary>
    Task<string> GetAccessTokenAsync(CancellationToken cancellationToken);
}

/// <summary>Adds the bearer token to every admin API request.</summary>
public sealed class AccessTokenHandler(IAccessTokenSource tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAccessTokenAsync(cancellationToken));
        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// Reads the tokens from the administrator's server-side session (<see cref="ServerSideTicketStore"/>) and
/// renews the access token with the refresh token when it expires within a minute.
/// OnePass rotates refresh tokens and treats a second use of one as theft, revoking the whole chain
/// (CONTRACT §5, RFC 9700 §4.14.2). So two requests of one session must never redeem the same refresh token:
/// one refresh per session at a time; a request that waited re-reads the session and finds the new token.
/// The lock is per process: several console processes sharing a Redis session store need sticky sessions.
/// </summary>
public sealed class SessionTokenSource(
    IHttpContextAccessor httpContextAccessor, ServerSideTicketStore store, TokenRefresher refresher, TimeProvider clock) : IAccessTokenSource
{
    /// <summary>Renew a token that expires within this margin, so that it does not expire on its way to the API.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);

    // Striped locks: a session always maps to the same one, and the set never grows.
    private static readonly SemaphoreSlim[] Locks = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        var key = httpContextAccessor.HttpContext?.User.FindFirst(ServerSideTicketStore.SessionKeyClaim)?.Value
            ?? throw new AdminApiSignInRequiredException("No console session.");

        var ticket = await store.RetrieveAsync(key) ?? throw new AdminApiSignInRequiredException("The console session has ended.");
        if (Current(ticket.Properties) is { } token)
        {
            return token;
        }

        var gate = Locks[(int)((uint)StringComparer.Ordinal.GetHashCode(key) % (uint)Locks.Length)];
        await gate.WaitAsync(cancellationToken);
        try
        {
            // Another request of this session may have refreshed while this one waited.
            ticket = await store.RetrieveAsync(key) ?? throw new AdminApiSignInRequiredException("The console session has ended.");
            if (Current(ticket.Properties) is { } refreshedMeanwhile)
            {
                return refreshedMeanwhile;
            }

            var refreshToken = ticket.Properties.GetTokenValue("refresh_token");
            if (string.IsNullOrEmpty(refreshToken))
            {
                throw new AdminApiSignInRequiredException("The access token expired and the session has no refresh token.");
            }

            TokenResponse response;
            try
            {
                response = await refresher.RefreshAsync(refreshToken, cancellationToken);
            }
            catch (AdminApiSignInRequiredException)
            {
                // The refresh token is spent or revoked: this session cannot call the API again.
                await store.RemoveAsync(key);
                throw;
            }

            var tokens = ticket.Properties.GetTokens().ToDictionary(t => t.Name, t => t.Value, StringComparer.Ordinal);
            tokens["access_token"] = response.AccessToken;
            tokens["expires_at"] = clock.GetUtcNow().AddSeconds(response.ExpiresIn ?? 300).ToString("o", CultureInfo.InvariantCulture);
            if (!string.IsNullOrEmpty(response.RefreshToken))
            {
                tokens["refresh_token"] = response.RefreshToken;
            }

            if (!string.IsNullOrEmpty(response.IdToken))
            {
                tokens["id_token"] = response.IdToken;
            }

            ticket.Properties.StoreTokens(tokens.Select(t => new AuthenticationToken { Name = t.Key, Value = t.Value }));
            await store.RenewAsync(key, ticket);
            return response.AccessToken;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The access token when it is valid beyond the margin; null when it must be renewed.</summary>
    private string? Current(AuthenticationProperties properties)
    {
        var token = properties.GetTokenValue("access_token");
        var expiresAt = properties.GetTokenValue("expires_at");
        return !string.IsNullOrEmpty(token) &&
            DateTimeOffset.TryParse(expiresAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var expires) &&
            expires - clock.GetUtcNow() > RefreshMargin
            ? token
            : null;
    }
}

/// <summary>The token endpoint's answer to a refresh (RFC 6749 §5.1).</summary>
public sealed record TokenResponse(string AccessToken, string? RefreshToken, string? IdToken, int? ExpiresIn);

/// <summary>Redeems a refresh token at OnePass's token endpoint, found through discovery (RFC 6749 §6).</summary>
public sealed class TokenRefresher(HttpClient http, IOptionsMonitor<OpenIdConnectOptions> oidc)
{
    public async Task<TokenResponse> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var options = oidc.Get(OpenIdConnectDefaults.AuthenticationScheme);
        string? endpoint;
        try
        {
            var metadata = options.Configuration ?? await options.ConfigurationManager!.GetConfigurationAsync(cancellationToken);
            endpoint = metadata.TokenEndpoint;
        }
        catch (InvalidOperationException exception)
        {
            throw new AdminApiUnavailableException("OnePass's discovery document cannot be read.", exception);
        }

        if (string.IsNullOrEmpty(endpoint))
        {
            throw new AdminApiUnavailableException("OnePass's discovery document has no token endpoint.");
        }

        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = options.ClientId!,
        };
        if (!string.IsNullOrEmpty(options.ClientSecret))
        {
            form["client_secret"] = options.ClientSecret;
        }

        using var content = new FormUrlEncodedContent(form);
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync(new Uri(endpoint), content, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new AdminApiUnavailableException("OnePass's token endpoint cannot be reached.", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AdminApiUnavailableException("OnePass's token endpoint did not answer in time.", exception);
        }

        using (response)
        {
            if ((int)response.StatusCode >= 500)
            {
                throw new AdminApiUnavailableException($"OnePass's token endpoint answered {(int)response.StatusCode}.");
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            }
            catch (JsonException exception)
            {
                throw new AdminApiSignInRequiredException("The token endpoint's answer is not JSON.", exception);
            }

            using (document)
            {
                var root = document.RootElement;
                if (!response.IsSuccessStatusCode || root.ValueKind != JsonValueKind.Object ||
                    !root.TryGetProperty("access_token", out var accessToken) || accessToken.ValueKind != JsonValueKind.String)
                {
                    // invalid_grant and the like: the refresh token is expired, revoked or already used.
                    var error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var e) ? e.ToString() : "no access_token";
                    throw new AdminApiSignInRequiredException($"OnePass refused the refresh token ({error}).");
                }

                return new TokenResponse(
                    accessToken.GetString()!,
                    String(root, "refresh_token"),
                    String(root, "id_token"),
                    root.TryGetProperty("expires_in", out var expiresIn) && expiresIn.TryGetInt32(out var seconds) ? seconds : null);
            }
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
