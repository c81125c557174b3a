namespace OnePass.AdminConsole.Infrastructure.AdminApi;

/// <summary>An answer of the admin API other than success. Pages catch the kinds they can explain to the user.</summary>
public abstract class AdminApiException : Exception
{
    protected AdminApiException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>
/// 400 <c>invalid_request</c>: <see cref="Errors"/> holds the field errors (field name as in the request body,
/// <c>redirectUris[1]</c> for an item); show them with <c>ModelState.AddApiErrors</c>.
/// </summary>
public sealed class AdminApiValidationException(string description, IReadOnlyDictionary<string, string[]> errors)
    : AdminApiException(description)
{
    public string Description { get; } = description;

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>409 <c>conflict</c>: the record changed since it was read (stale <c>version</c>), or it is in use / the name is taken.</summary>
public sealed class AdminApiConflictException(string description) : AdminApiException(description)
{
    public string Description { get; } = description;
}

/// <summary>404 <c>not_found</c>.</summary>
public sealed class AdminApiNotFoundException(string description) : AdminApiException(description)
{
    public string Description { get; } = description;
}

/// <summary>
/// The console holds no usable token: the API answered 401, or the refresh token was refused. The page filter
/// answers with a challenge, i.e. the administrator signs in again.
/// </summary>
public sealed class AdminApiSignInRequiredException(string message, Exception? inner = null) : AdminApiException(message, inner);

/// <summary>403: the token lacks the scope or the user is no longer an administrator. The page filter shows the access-denied page.</summary>
public sealed class AdminApiForbiddenException(string message) : AdminApiException(message);

/// <summary>The admin API could not be reached or failed (network error, timeout, 5xx): the error page answers 503.</summary>
public sealed class AdminApiUnavailableException(string message, Exception? inner = null) : AdminApiException(message, inner);
