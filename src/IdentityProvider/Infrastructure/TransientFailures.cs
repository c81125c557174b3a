using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using StackExchange.Redis;

namespace OnePass.IdentityProvider.Infrastructure;

/// <summary>
/// Failures of a backing service (Redis, the database) rather than of the request: the answer is
/// 503 with <c>Retry-After</c>, never a 500 and never a fallback that would weaken a check
/// (CATALOGUE FT-02, FT-05, FT-06). Protocol endpoints get a JSON error, pages the error page.
/// </summary>
public sealed class TransientFailures : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public static bool IsTransient(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is RedisException or RedisTimeoutException or NpgsqlException or SocketException or TimeoutException ||
                current is SqliteException { SqliteErrorCode: 5 or 6 }) // SQLITE_BUSY, SQLITE_LOCKED
            {
                return true;
            }
        }

        return false;
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsTransient(exception) || httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!WebServiceCollectionExtensions.IsApiPath(httpContext.Request.Path))
        {
            return false; // the error page explains it (and keeps the status and Retry-After)
        }

        httpContext.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(httpContext.Response.Body, new Dictionary<string, string>
        {
            ["error"] = "temporarily_unavailable",
            ["error_description"] = "OnePass is briefly unavailable. Please try again in a few seconds.",
        }, cancellationToken: cancellationToken);
        return true;
    }
}
