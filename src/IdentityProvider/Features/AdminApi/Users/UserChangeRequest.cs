using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace OnePass.IdentityProvider.Features.AdminApi.Users;

/// <summary>The body of a change to a user: the <c>version</c> the administrator read (docs/admin-api.md, "Users").</summary>
public sealed partial record UserChangeRequest(string? Version)
{
    private const int MaxVersionLength = 100;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>
    /// Reads the body strictly: not JSON, malformed, an unknown member or no <c>version</c> is a 400 naming
    /// the problem, never a 500.
    /// </summary>
    public static async Task<(IResult? Error, string Version)> ReadVersionAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (AdminApiError.InvalidRequest("The body must be JSON (Content-Type: application/json) with the version you read."), "");
        }

        UserChangeRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<UserChangeRequest>(request.Body, JsonOptions, cancellationToken);
        }
        catch (JsonException exception)
        {
            // The serializer's own message names a .NET type: only the unknown member's name is passed on.
            var unknown = UnmappedMember().Match(exception.Message);
            return (AdminApiError.InvalidRequest(unknown.Success
                ? $"Unknown member '{unknown.Groups[1].Value}'; the body has only 'version'."
                : "The body is not valid JSON of the expected shape: {\"version\": \"...\"}."), "");
        }

        return VersionError(body?.Version) is { } error ? (error, "") : (null, body!.Version!);
    }

    /// <summary>400 when the version is missing or too long to be one; null when it may be compared.</summary>
    public static IResult? VersionError(string? version) => version switch
    {
        null or "" => AdminApiError.Field("version", "The version of the user you read is required."),
        { Length: > MaxVersionLength } => AdminApiError.Field("version", "This is not a version of this user."),
        _ => null,
    };

    [GeneratedRegex("^The JSON property '([^']{1,100})' could not be mapped", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex UnmappedMember();
}
