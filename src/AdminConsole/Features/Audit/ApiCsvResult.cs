using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace OnePass.AdminConsole.Features.Audit;

/// <summary>
/// Passes an audit export of the admin API through to the browser as it arrives: the console holds the bearer
/// token, the browser only its cookie. The API's body is copied chunk by chunk (never read whole), so an export
/// of any size costs the console a small buffer. The answer is always <c>text/csv</c> and an attachment, named
/// as the API named it when that name is plain, so the browser never renders it as a page.
/// </summary>
public sealed partial class ApiCsvResult(HttpResponseMessage upstream, string fallbackFileName) : IActionResult
{
    public const string ContentType = "text/csv; charset=utf-8";

    public async Task ExecuteResultAsync(ActionContext context)
    {
        using (upstream)
        {
            var http = context.HttpContext;
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            var response = http.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = ContentType;
            response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = FileName() }.ToString();
            response.Headers.CacheControl = "no-store";

            await using var body = await upstream.Content.ReadAsStreamAsync(http.RequestAborted);
            await body.CopyToAsync(response.Body, http.RequestAborted);
        }
    }

    private string FileName()
    {
        var name = upstream.Content.Headers.ContentDisposition?.FileName?.Trim('"');
        return name is not null && PlainFileName().IsMatch(name) ? name : fallbackFileName;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\\.csv$")]
    private static partial Regex PlainFileName();
}
