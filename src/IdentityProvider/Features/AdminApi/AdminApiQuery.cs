using System.Globalization;
using System.Text.Json.Serialization;

namespace OnePass.IdentityProvider.Features.AdminApi;

/// <summary>
/// Reads the query string of an admin API call strictly: an unknown, repeated or malformed parameter is
/// a 400 <c>invalid_request</c> naming it, so a typo never silently widens a query.
/// </summary>
public sealed partial class AdminApiQuery
{
    private readonly IQueryCollection _query;
    private readonly List<string> _errors = [];

    private AdminApiQuery(IQueryCollection query, IReadOnlyCollection<string> allowed)
    {
        _query = query;
        foreach (var name in query.Keys.Where(name => !allowed.Contains(name)).Order(StringComparer.Ordinal))
        {
            _errors.Add($"Unknown parameter '{name}'.");
        }
    }

    public static AdminApiQuery Read(HttpRequest request, params string[] allowed) => new(request.Query, allowed);

    /// <summary>The first problem found, as a 400 answer; null when every parameter was valid.</summary>
    public IResult? Error => _errors.Count == 0 ? null : AdminApiError.InvalidRequest(_errors[0]);

    public string? Text(string name, int maxLength)
    {
        if (Single(name) is not { } value)
        {
            return null;
        }

        if (value.Length == 0 || value.Length > maxLength)
        {
            _errors.Add($"The '{name}' parameter must have 1 to {maxLength} characters.");
            return null;
        }

        return value;
    }

    public int Number(string name, int defaultValue, int min, int max)
    {
        if (Single(name) is not { } value)
        {
            return defaultValue;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            _errors.Add($"The '{name}' parameter must be a whole number from {min} to {max}.");
            return defaultValue;
        }

        return number;
    }

    public T? OneOf<T>(string name, IReadOnlyDictionary<string, T> values)
        where T : struct
    {
        if (Single(name) is not { } value)
        {
            return null;
        }

        if (!values.TryGetValue(value, out var result))
        {
            _errors.Add($"The '{name}' parameter must be one of: {string.Join(", ", values.Keys)}.");
            return null;
        }

        return result;
    }

    /// <summary>
    /// An ISO 8601 date and time with an explicit offset (<c>2026-11-01T12:00:00Z</c>, <c>…+02:00</c>; a <c>+</c>
    /// must be sent as <c>%2B</c>), as UTC; null when absent or malformed (then <see cref="Error"/> says so).
    /// </summary>
    public DateTimeOffset? Timestamp(string name)
    {
        if (Single(name) is not { } value)
        {
            return null;
        }

        if (!IsoTimestamp().IsMatch(value) ||
            !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var timestamp))
        {
            _errors.Add($"The '{name}' parameter must be an ISO 8601 date and time with an offset, such as 2026-11-01T12:00:00Z (send '+' as %2B).");
            return null;
        }

        return timestamp.ToUniversalTime();
    }

    /// <summary>A GUID (any of the usual forms); null when absent or malformed (then <see cref="Error"/> says so).</summary>
    public Guid? Id(string name)
    {
        if (Single(name) is not { } value)
        {
            return null;
        }

        if (!Guid.TryParse(value, CultureInfo.InvariantCulture, out var id))
        {
            _errors.Add($"The '{name}' parameter must be a GUID.");
            return null;
        }

        return id;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", System.Text.RegularExpressions.RegexOptions.CultureInvariant, 1000)]
    private static partial System.Text.RegularExpressions.Regex IsoTimestamp();

    private string? Single(string name)
    {
        if (!_query.TryGetValue(name, out var values))
        {
            return null;
        }

        if (values.Count != 1)
        {
            _errors.Add($"The '{name}' parameter must appear once.");
            return null;
        }

        return values[0];
    }
}

/// <summary>
/// The JSON error body of the admin API, in the OAuth style the rest of OnePass uses. A validation failure
/// adds <c>errors</c>: field name (camelCase, as in the request body; <c>redirectUris[1]</c> for an item) to
/// its messages, so a form can show each message beside its field.
/// </summary>
public sealed record AdminApiError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string Description)
{
    [JsonPropertyName("errors")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    public static IResult InvalidRequest(string description) =>
        Results.Json(new AdminApiError("invalid_request", description), statusCode: StatusCodes.Status400BadRequest);

    /// <summary>400 with one message per invalid field.</summary>
    public static IResult Validation(IReadOnlyDictionary<string, string[]> errors) =>
        Results.Json(
            new AdminApiError("invalid_request", "Some fields are invalid: " + string.Join(", ", errors.Keys) + ".") { Errors = errors },
            statusCode: StatusCodes.Status400BadRequest);

    /// <summary>400 for one invalid field.</summary>
    public static IResult Field(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static IResult NotFound(string description) =>
        Results.Json(new AdminApiError("not_found", description), statusCode: StatusCodes.Status404NotFound);

    /// <summary>409: the record changed since the caller read it (its <c>version</c> differs), or the name is taken.</summary>
    public static IResult Conflict(string description) =>
        Results.Json(new AdminApiError("conflict", description), statusCode: StatusCodes.Status409Conflict);
}
