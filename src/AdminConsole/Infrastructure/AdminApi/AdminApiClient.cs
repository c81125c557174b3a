using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OnePass.AdminConsole.Infrastructure.AdminApi;

/// <summary>
/// The identity provider's admin API (docs/admin-api.md), one method per endpoint. A typed HttpClient: its base
/// address is the OnePass authority and <see cref="AccessTokenHandler"/> adds the administrator's bearer token.
/// Anything but success becomes an <see cref="AdminApiException"/>: validation (400 with field errors),
/// conflict (409), not found (404), sign-in required (401 or a refused refresh), forbidden (403) or
/// unavailable (network failure, timeout, 5xx).
/// </summary>
public sealed class AdminApiClient(HttpClient http)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private const string Base = "api/admin/";

    // ---- Agencies ------------------------------------------------------------------------------

    public Task<PagedList<Agency>> ListAgenciesAsync(string? search, string? status, int page, int pageSize, CancellationToken cancellationToken = default) =>
        GetAsync<PagedList<Agency>>(Base + "agencies" + Query(("search", search), ("status", status), ("page", Number(page)), ("pageSize", Number(pageSize))), cancellationToken);

    public Task<Agency> GetAgencyAsync(string clientId, CancellationToken cancellationToken = default) =>
        GetAsync<Agency>(Base + "agencies/" + Segment(clientId), cancellationToken);

    /// <summary>Registers an agency; for a confidential client the answer holds its secret, which is shown once and never kept.</summary>
    public async Task<IssuedAgency> CreateAgencyAsync(AgencyCreateRequest agency, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, Base + "agencies", JsonContent.Create(agency, options: Json), cancellationToken);
        return await ReadIssuedAsync(response, agency.ClientId, cancellationToken);
    }

    public Task<Agency?> UpdateAgencyAsync(string clientId, AgencyUpdateRequest agency, CancellationToken cancellationToken = default) =>
        SendForOptionalAsync<Agency>(HttpMethod.Put, Base + "agencies/" + Segment(clientId), JsonContent.Create(agency, options: Json), cancellationToken);

    public Task DisableAgencyAsync(string clientId, string version, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Post, Base + "agencies/" + Segment(clientId) + "/disable", JsonContent.Create(new VersionRequest(version), options: Json), cancellationToken);

    public Task EnableAgencyAsync(string clientId, string version, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Post, Base + "agencies/" + Segment(clientId) + "/enable", JsonContent.Create(new VersionRequest(version), options: Json), cancellationToken);

    public Task DeleteAgencyAsync(string clientId, string version, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Delete, Base + "agencies/" + Segment(clientId) + Query(("version", version)), null, cancellationToken);

    /// <summary>A new secret; the old one keeps working for <see cref="SecretRotationRequest.OverlapHours"/>.</summary>
    public async Task<IssuedAgency> RotateSecretAsync(string clientId, SecretRotationRequest rotation, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, Base + "agencies/" + Segment(clientId) + "/secret", JsonContent.Create(rotation, options: Json), cancellationToken);
        return await ReadIssuedAsync(response, clientId, cancellationToken);
    }

    /// <summary>Uploads the logo as raw bytes with its image content type (the API reads the type from the bytes too).</summary>
    public Task UploadLogoAsync(string clientId, byte[] image, string contentType, CancellationToken cancellationToken = default)
    {
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return SendAndForgetAsync(HttpMethod.Put, Base + "agencies/" + Segment(clientId) + "/logo", content, cancellationToken);
    }

    public Task RemoveLogoAsync(string clientId, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Delete, Base + "agencies/" + Segment(clientId) + "/logo", null, cancellationToken);

    // ---- Scopes --------------------------------------------------------------------------------

    /// <summary>Every scope, built-in and custom.</summary>
    public async Task<IReadOnlyList<Scope>> ListScopesAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, Base + "scopes", null, cancellationToken);
        using var document = await ReadDocumentAsync(response, cancellationToken);

        // A plain array or a list page ({"items": [...]}).
        var items = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("items", out var list)
            ? list
            : document.RootElement;
        return items.Deserialize<List<Scope>>(Json) ?? [];
    }

    public Task<Scope> GetScopeAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync<Scope>(Base + "scopes/" + Segment(name), cancellationToken);

    public Task<Scope?> CreateScopeAsync(ScopeCreateRequest scope, CancellationToken cancellationToken = default) =>
        SendForOptionalAsync<Scope>(HttpMethod.Post, Base + "scopes", JsonContent.Create(scope, options: Json), cancellationToken);

    public Task<Scope?> UpdateScopeAsync(string name, ScopeUpdateRequest scope, CancellationToken cancellationToken = default) =>
        SendForOptionalAsync<Scope>(HttpMethod.Put, Base + "scopes/" + Segment(name), JsonContent.Create(scope, options: Json), cancellationToken);

    /// <summary>Deletes a custom scope; 409 (<see cref="AdminApiConflictException"/>) while an agency may still ask for it.</summary>
    public Task DeleteScopeAsync(string name, string version, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Delete, Base + "scopes/" + Segment(name) + Query(("version", version)), null, cancellationToken);

    // ---- Users ---------------------------------------------------------------------------------

    public Task<PagedList<UserSummary>> ListUsersAsync(string? search, string? status, int page, int pageSize, CancellationToken cancellationToken = default) =>
        GetAsync<PagedList<UserSummary>>(Base + "users" + Query(("search", search), ("status", status), ("page", Number(page)), ("pageSize", Number(pageSize))), cancellationToken);

    public Task<UserDetail> GetUserAsync(Guid id, CancellationToken cancellationToken = default) =>
        GetAsync<UserDetail>(Base + "users/" + id.ToString("D"), cancellationToken);

    public Task DisableUserAsync(Guid id, string version, CancellationToken cancellationToken = default) => UserActionAsync(id, "disable", version, cancellationToken);

    public Task EnableUserAsync(Guid id, string version, CancellationToken cancellationToken = default) => UserActionAsync(id, "enable", version, cancellationToken);

    public Task UnlockUserAsync(Guid id, string version, CancellationToken cancellationToken = default) => UserActionAsync(id, "unlock", version, cancellationToken);

    public Task ResetMfaAsync(Guid id, string version, CancellationToken cancellationToken = default) => UserActionAsync(id, "reset-mfa", version, cancellationToken);

    public Task<UserSessionList> ListUserSessionsAsync(Guid id, CancellationToken cancellationToken = default) =>
        GetAsync<UserSessionList>(Base + "users/" + id.ToString("D") + "/sessions", cancellationToken);

    public Task EndUserSessionsAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Delete, Base + "users/" + id.ToString("D") + "/sessions", null, cancellationToken);

    public Task EndUserSessionAsync(Guid id, string sessionId, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Delete, Base + "users/" + id.ToString("D") + "/sessions/" + Segment(sessionId), null, cancellationToken);

    public Task DeleteUserAsync(Guid id, string version, CancellationToken cancellationToken = default) =>
        SendAndForgetAsync(HttpMethod.Delete, Base + "users/" + id.ToString("D") + Query(("version", version)), null, cancellationToken);

    private Task UserActionAsync(Guid id, string action, string version, CancellationToken cancellationToken) =>
        SendAndForgetAsync(HttpMethod.Post, Base + "users/" + id.ToString("D") + "/" + action, JsonContent.Create(new VersionRequest(version), options: Json), cancellationToken);

    // ---- Audit and statistics ------------------------------------------------------------------

    public Task<PagedList<SignInEvent>> ListSignInsAsync(SignInAuditQuery query, CancellationToken cancellationToken = default) =>
        GetAsync<PagedList<SignInEvent>>(Base + "audit/sign-ins" + SignInQuery(query, paged: true), cancellationToken);

    /// <summary>The matching sign-in events as CSV, streamed: dispose the response when copied.</summary>
    public Task<HttpResponseMessage> ExportSignInsCsvAsync(SignInAuditQuery query, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, Base + "audit/sign-ins.csv" + SignInQuery(query, paged: false), null, cancellationToken, HttpCompletionOption.ResponseHeadersRead);

    public Task<PagedList<ChangeEvent>> ListChangesAsync(ChangeAuditQuery query, CancellationToken cancellationToken = default) =>
        GetAsync<PagedList<ChangeEvent>>(Base + "audit/changes" + ChangeQuery(query, paged: true), cancellationToken);

    /// <summary>The matching change events as CSV, streamed: dispose the response when copied.</summary>
    public Task<HttpResponseMessage> ExportChangesCsvAsync(ChangeAuditQuery query, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, Base + "audit/changes.csv" + ChangeQuery(query, paged: false), null, cancellationToken, HttpCompletionOption.ResponseHeadersRead);

    public Task<AuditRetention> GetRetentionAsync(CancellationToken cancellationToken = default) =>
        GetAsync<AuditRetention>(Base + "audit/retention", cancellationToken);

    public Task<AuditRetention?> SetRetentionAsync(AuditRetentionRequest retention, CancellationToken cancellationToken = default) =>
        SendForOptionalAsync<AuditRetention>(HttpMethod.Put, Base + "audit/retention", JsonContent.Create(retention, options: Json), cancellationToken);

    /// <summary><paramref name="range"/> is <c>24h</c> or <c>7d</c>.</summary>
    public Task<Statistics> GetStatisticsAsync(string range, CancellationToken cancellationToken = default) =>
        GetAsync<Statistics>(Base + "stats" + Query(("range", range)), cancellationToken);

    private static string SignInQuery(SignInAuditQuery q, bool paged) => Query(
        ("from", Time(q.From)), ("to", Time(q.To)), ("userId", q.UserId), ("clientId", q.ClientId), ("method", q.Method), ("outcome", q.Outcome),
        ("page", paged ? Number(q.Page) : null), ("pageSize", paged ? Number(q.PageSize) : null));

    private static string ChangeQuery(ChangeAuditQuery q, bool paged) => Query(
        ("from", Time(q.From)), ("to", Time(q.To)), ("actorId", q.ActorId), ("targetType", q.TargetType), ("targetId", q.TargetId), ("action", q.Action),
        ("page", paged ? Number(q.Page) : null), ("pageSize", paged ? Number(q.PageSize) : null));

    // ---- Transport -----------------------------------------------------------------------------

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken)
            ?? throw new AdminApiUnavailableException($"The admin API answered {path} with an empty body.");
    }

    private async Task<T?> SendForOptionalAsync<T>(HttpMethod method, string path, HttpContent content, CancellationToken cancellationToken)
        where T : class
    {
        using var response = await SendAsync(method, path, content, cancellationToken);
        return response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0
            ? null
            : await ReadAsync<T>(response, cancellationToken);
    }

    private async Task SendAndForgetAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, path, content, cancellationToken);
    }

    /// <summary>Sends one request; the answer is a success or one of the <see cref="AdminApiException"/>s.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Accept.ParseAdd("application/json");
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new AdminApiUnavailableException("The OnePass admin API cannot be reached.", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AdminApiUnavailableException("The OnePass admin API did not answer in time.", exception);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var error = await ReadErrorAsync(response, cancellationToken);
            var description = error?.ErrorDescription ?? $"The admin API answered {(int)response.StatusCode}.";
            throw response.StatusCode switch
            {
                HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnsupportedMediaType =>
                    new AdminApiValidationException(description, error?.Errors ?? new Dictionary<string, string[]>()),
                HttpStatusCode.Unauthorized => new AdminApiSignInRequiredException("The admin API refused the access token (401)."),
                HttpStatusCode.Forbidden => new AdminApiForbiddenException(description),
                HttpStatusCode.NotFound => new AdminApiNotFoundException(description),
                HttpStatusCode.Conflict => new AdminApiConflictException(description),
                _ => new AdminApiUnavailableException($"The admin API answered {(int)response.StatusCode} to {method} {path}."),
            };
        }
    }

    private static async Task<T?> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken);
        }
        catch (JsonException exception)
        {
            throw new AdminApiUnavailableException("The admin API answered JSON the console does not understand.", exception);
        }
    }

    private static async Task<JsonDocument> ReadDocumentAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        }
        catch (JsonException exception)
        {
            throw new AdminApiUnavailableException("The admin API answered JSON the console does not understand.", exception);
        }
    }

    private static async Task<AdminApiErrorBody?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType is not { } mediaType || !mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            return await response.Content.ReadFromJsonAsync<AdminApiErrorBody>(Json, cancellationToken);
        }
        catch (JsonException)
        {
            return null; // an unreadable error body: the status code still says what happened
        }
    }

    /// <summary>The agency and its one-time secret, whether the API nests the agency (<c>{"agency", "clientSecret"}</c>) or not.</summary>
    private static async Task<IssuedAgency> ReadIssuedAsync(HttpResponseMessage response, string clientId, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return new IssuedAgency(null, clientId, null);
        }

        using var document = await ReadDocumentAsync(response, cancellationToken);
        var root = document.RootElement;
        var secret = root.TryGetProperty("clientSecret", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        var agencyElement = root.TryGetProperty("agency", out var nested) && nested.ValueKind == JsonValueKind.Object ? nested : root;
        Agency? agency = null;
        if (agencyElement.TryGetProperty("displayName", out _))
        {
            try
            {
                agency = agencyElement.Deserialize<Agency>(Json);
            }
            catch (JsonException)
            {
                agency = null; // the secret matters most; the agency can be read again
            }
        }

        return new IssuedAgency(agency, agency?.ClientId ?? clientId, secret);
    }

    private static string Segment(string value) => Uri.EscapeDataString(value);

    private static string? Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string? Time(DateTimeOffset? value) => value?.ToString("O", CultureInfo.InvariantCulture);

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var query = new StringBuilder();
        foreach (var (name, value) in parameters)
        {
            if (!string.IsNullOrEmpty(value))
            {
                query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        return query.ToString();
    }
}
