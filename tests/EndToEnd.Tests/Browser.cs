using System.Net;
using AngleSharp.Html.Dom;
using OnePass.TestKit;

namespace OnePass.EndToEnd.Tests;

/// <summary>
/// A browser without JavaScript that spans origins (the identity provider and the agency sites): one
/// cookie jar, redirects followed one at a time and recorded in <see cref="History"/>, and the
/// identity provider's form_post answer (OpenID Connect Form Post Response Mode) submitted to the agency
/// exactly as its one-line <c>document.form.submit()</c> script would.
/// </summary>
public sealed class Browser : IDisposable
{
    private const int MaxHops = 20;
    private readonly HttpClient _http;

    public Browser()
    {
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, UseCookies = true, AllowAutoRedirect = false });
    }

    public CookieContainer Cookies { get; } = new();

    /// <summary>Every address requested, in order.</summary>
    public List<Uri> History { get; } = [];

    public async Task<BrowserPage> NavigateAsync(Uri uri) => await FollowAsync(await SendAsync(HttpMethod.Get, uri));

    /// <summary>One request with the browser's cookies, redirects not followed.</summary>
    public Task<HttpResponseMessage> SendRawAsync(HttpMethod method, Uri uri) => SendAsync(method, uri);

    /// <summary>Fills and posts a form of the page (fields by name), then follows where it leads.</summary>
    public async Task<BrowserPage> SubmitAsync(BrowserPage page, IDictionary<string, string>? values = null, string? submitName = null,
        string? submitValue = null, Func<IHtmlFormElement, bool>? which = null) =>
        await FollowAsync(await PostAsync(page, page.Form(which), values, submitName, submitValue));

    private async Task<BrowserPage> FollowAsync(HttpResponseMessage response)
    {
        for (var hop = 0; hop < MaxHops; hop++)
        {
            var current = response.RequestMessage!.RequestUri!;
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                response = await SendAsync(HttpMethod.Get, new Uri(current, location));
                continue;
            }

            var page = new BrowserPage(current, response, await response.Content.ReadAsStringAsync());
            if (!IsFormPostResponse(page))
            {
                return page;
            }

            response = await PostAsync(page, page.Form(form => form.Name == "form"), values: null, submitName: null, submitValue: null);
        }

        throw new InvalidOperationException($"More than {MaxHops} hops: a redirect loop? {string.Join(" -> ", History)}");
    }

    private static bool IsFormPostResponse(BrowserPage page) =>
        page.Document.Scripts.Any(script => script.Text.Contains("document.form.submit()", StringComparison.Ordinal));

    private Task<HttpResponseMessage> PostAsync(BrowserPage page, HtmlForm form, IDictionary<string, string>? values, string? submitName, string? submitValue)
    {
        var fields = form.Fields.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        foreach (var (name, value) in values ?? new Dictionary<string, string>())
        {
            fields[name] = value;
        }

        var list = fields.ToList();
        if (submitName is not null)
        {
            list.Add(new(submitName, submitValue ?? string.Empty));
        }

        var action = string.IsNullOrEmpty(form.Action) ? page.Uri : new Uri(page.Uri, form.Action);
        return SendAsync(HttpMethod.Post, action, new FormUrlEncodedContent(list));
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, HttpContent? content = null)
    {
        History.Add(uri);
        return _http.SendAsync(new HttpRequestMessage(method, uri) { Content = content });
    }

    public void Dispose() => _http.Dispose();
}
