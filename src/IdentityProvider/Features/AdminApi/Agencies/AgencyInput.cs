using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using System.Text.Json.Serialization;

namespace OnePass.IdentityProvider.Features.AdminApi.Agencies;

/// <summary>
/// The body of <c>POST /api/admin/agencies</c> and <c>PUT /api/admin/agencies/{clientId}</c> (docs/admin-api.md).
/// On PUT, <see cref="ClientId"/> and <see cref="ClientType"/> may be left out or repeated unchanged, and
/// <see cref="Version"/> is required. Members left out take the defaults below, on POST and PUT alike.
/// </summary>
public sealed record AgencyInput
{
    /// <summary>POST only: 1–100 letters, digits or <c>- . _ :</c>; never changes afterwards.</summary>
    public string? ClientId { get; init; }

    /// <summary>POST only: <c>confidential</c> (a secret is generated and shown once) or <c>public</c> (PKCE, no secret).</summary>
    public string? ClientType { get; init; }

    /// <summary>Shown to citizens as text: 1–200 characters, no control or bidirectional-override characters.</summary>
    public string? DisplayName { get; init; }

    public string? ContactEmail { get; init; }

    public IReadOnlyList<string?>? RedirectUris { get; init; } = [];

    public IReadOnlyList<string?>? PostLogoutRedirectUris { get; init; } = [];

    public string? FrontchannelLogoutUri { get; init; }

    public string? BackchannelLogoutUri { get; init; }

    /// <summary>Default <c>["authorization_code", "refresh_token"]</c>.</summary>
    public IReadOnlyList<string?>? GrantTypes { get; init; } = ["authorization_code", "refresh_token"];

    /// <summary>Default <c>["openid"]</c>.</summary>
    public IReadOnlyList<string?>? Scopes { get; init; } = ["openid"];

    /// <summary>Default true; a public client must keep it.</summary>
    public bool RequirePkce { get; init; } = true;

    /// <summary><c>explicit</c> (default) or <c>implicit</c>.</summary>
    public string? Consent { get; init; } = "explicit";

    /// <summary><c>pairwise</c> (default) or <c>public</c>.</summary>
    public string? SubjectType { get; init; } = "pairwise";

    public string? SectorIdentifier { get; init; }

    public string? MinimumAcr { get; init; }

    /// <summary>PUT only: the <c>version</c> of the agency as read.</summary>
    public string? Version { get; init; }
}

/// <summary>The body of <c>POST …/disable</c> and <c>…/enable</c>.</summary>
public sealed record AgencyVersionInput
{
    public string? Version { get; init; }
}

/// <summary>
/// Reads admin API request bodies strictly: JSON only, no unknown or repeated member, no wrong type; any
/// of these is a 400 <c>invalid_request</c> that names the place, never a 500.
/// </summary>
public static partial class AdminJsonBody
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static async Task<(T? Body, IResult? Error)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.HasJsonContentType())
        {
            return (null, AdminApiError.InvalidRequest("The request body must be JSON (Content-Type: application/json)."));
        }

        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, cancellationToken);
            return body is null ? (null, AdminApiError.InvalidRequest("The request body must be a JSON object.")) : (body, null);
        }
        catch (JsonException exception)
        {
            var at = exception.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : null;
            var unknown = UnknownMember().Match(exception.Message);
            var description = unknown.Success
                ? $"Unknown member '{unknown.Groups[1].Value}' in the request body."
                : at is null
                    ? "The request body is not valid JSON for this call."
                    : $"The request body is not valid at '{at}': wrong type, repeated member or malformed JSON.";
            return (null, AdminApiError.InvalidRequest(description));
        }
    }

    [GeneratedRegex("^The JSON property '([^']{1,100})' could not be mapped", RegexOptions.CultureInvariant)]
    private static partial Regex UnknownMember();
}

/// <summary>OpenAPI description of a JSON body read by <see cref="AdminJsonBody"/>.</summary>
public static class AdminJsonBodyOpenApi
{
    /// <summary>
    /// Describes the body without <c>Accepts()</c>, whose content-type matching would answer 415 without the
    /// API's error body; the API answers 400 <c>invalid_request</c> for any body it cannot read.
    /// </summary>
    public static RouteHandlerBuilder WithJsonBody<T>(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken) },
                },
            });
}
