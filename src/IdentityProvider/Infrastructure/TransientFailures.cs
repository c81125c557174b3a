using System.Net.Sockets;
using System.Text.Json;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using OnePass.IdentityProvider.Features.Site;
using StackExchange.Redis;

namespace OnePass.IdentityProvider.Infrastructure;

/// <summary>
/// Failures of a backing service (Redis, the database) rather than of the request: the answer is
/// 503 with <c>Retry-After</c>, never a 500 and never a fallback that would weaken a check
/// (CATALOGUE FT-02, FT-05, FT-06). Protocol endpoints get a JSON error, pages the error page.
/// </summary>
public sealed class TransientFailures(ILogger<TransientFailures> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    // A plain page in the site's style, without the layout (whose rendering could need the session).
    private static string UnavailablePage()
    {
        var title = HtmlEncoder.Default.Encode(Texts.Get("unavailable.title"));
        var text = HtmlEncoder.Default.Encode(Texts.Get("unavailable.text"));
        var label = HtmlEncoder.Default.Encode(Texts.Get("error.code"));
        return $"""
            <!DOCTYPE html>
            <html lang="{Texts.Language}">
            <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>{title} · OnePass</title><link rel="stylesheet" href="/css/site.css" /></head>
            <body><header><span class="brand">OnePass</span></header>
            <main id="main"><h1>{title}</h1><div class="card"><p>{text}</p>
            <p><strong>{label}</strong> <code id="error-code">temporarily_unavailable</code></p></div></main></body>
            </html>
            """;
    }

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

        // Handled exceptions are not logged by ASP.NET Core: say here which service failed, or operators see
        // only 503s. The path only: a query string can hold link tokens.
        logger.LogWarning(exception, "A backing service failed during {Method} {Path}; answered 503 with Retry-After.",
            httpContext.Request.Method, httpContext.Request.Path.Value);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!WebServiceCollectionExtensions.IsApiPath(httpContext.Request.Path))
        {
            // Written here, not by re-running the pipeline for the error page: that would read the
            // session again and fail the same way (a 500).
            httpContext.Response.ContentType = "text/html; charset=utf-8";
            await httpContext.Response.WriteAsync(UnavailablePage(), cancellationToken);
            return true;
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
