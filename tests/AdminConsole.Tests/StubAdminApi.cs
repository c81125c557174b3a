using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace OnePass.AdminConsole.Tests;

/// <summary>
/// The admin API as the console's <c>AdminApiClient</c> sees it in tests: canned answers per method and path
/// (path with query, or without it), every request recorded. Unknown paths answer 404 <c>not_found</c>.
/// </summary>
public sealed class StubAdminApi : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, Func<HttpRequestMessage, HttpResponseMessage>> _answers = new(StringComparer.Ordinal);

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public void On(HttpMethod method, string path, Func<HttpRequestMessage, HttpResponseMessage> answer) =>
        _answers[$"{method.Method} {path}"] = answer;

    public void OnJson(HttpMethod method, string path, string json, HttpStatusCode status = HttpStatusCode.OK) =>
        On(method, path, _ => Json(json, status));

    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        Requests.Enqueue(new RecordedRequest(request.Method, request.RequestUri!, request.Headers.Authorization?.ToString(),
            request.Content?.Headers.ContentType?.MediaType, body));
        var pathAndQuery = request.RequestUri!.PathAndQuery;
        if (_answers.TryGetValue($"{request.Method.Method} {pathAndQuery}", out var answer) ||
            _answers.TryGetValue($"{request.Method.Method} {request.RequestUri.AbsolutePath}", out answer))
        {
            return answer(request);
        }

        return Json("""{"error":"not_found","error_description":"No such record."}""", HttpStatusCode.NotFound);
    }
}

public sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? Authorization, string? ContentType, byte[]? Body)
{
    public string BodyText => Body is null ? string.Empty : Encoding.UTF8.GetString(Body);
}
