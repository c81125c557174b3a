using System.Net;
using System.Net.Http.Headers;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.WebUtilities;

namespace OnePass.TestKit;

/// <summary>
/// A browser without JavaScript: keeps cookies, follows redirects only when asked, reads and submits
/// the HTML forms the way a citizen would (CONTRACT §4 field names). Works against the in-memory test
/// server and against a real socket.
/// </summary>
public sealed class BrowserClient(HttpClient http, OnePassHost host) : IDisposable
{
    private static readonly HtmlParser Parser = new();

    public CookieContainer Cookies { get; } = new();

    public HttpClient Http => http;

    public OnePassHost Host => host;

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        var uri = request.RequestUri!.IsAbsoluteUri ? request.RequestUri : new Uri(http.BaseAddress!, request.RequestUri);
        request.RequestUri = uri;
        var cookieHeader = Cookies.GetCookieHeader(uri);
        if (!string.IsNullOrEmpty(cookieHeader))
        {
            request.Headers.Add("Cookie", cookieHeader);
        }

        var response = await http.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var setCookie in setCookies)
            {
                Cookies.SetCookies(uri, setCookie);
            }
        }

        return response;
    }

    public Task<HttpResponseMessage> GetAsync(string url) => SendAsync(new HttpRequestMessage(HttpMethod.Get, url));

    public Task<HttpResponseMessage> PostFormAsync(string url, IEnumerable<KeyValuePair<string, string>> fields) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) });

    /// <summary>Follows redirects until a page is shown or the next location satisfies <paramref name="stopAt"/>.</summary>
    public async Task<BrowserPage> FollowAsync(HttpResponseMessage response, Func<Uri, bool>? stopAt = null, int maxRedirects = 10)
    {
        var current = response.RequestMessage!.RequestUri!;
        for (var i = 0; i <= maxRedirects; i++)
        {
            if ((int)response.StatusCode is < 300 or >= 400 || response.Headers.Location is null)
            {
                return new BrowserPage(current, response, await response.Content.ReadAsStringAsync());
            }

            var next = response.Headers.Location.IsAbsoluteUri ? response.Headers.Location : new Uri(current, response.Headers.Location);
            if (stopAt?.Invoke(next) == true || !IsOurs(next))
            {
                return new BrowserPage(next, response, string.Empty) { StoppedAtRedirect = true };
            }

            current = next;
            response = await GetAsync(next.ToString());
        }

        throw new InvalidOperationException("Too many redirects: a loop?");
    }

    public async Task<BrowserPage> NavigateAsync(string url, Func<Uri, bool>? stopAt = null) => await FollowAsync(await GetAsync(url), stopAt);

    /// <summary>Fills and submits a form of the page (fields by name), then follows redirects.</summary>
    public async Task<BrowserPage> SubmitAsync(BrowserPage page, IDictionary<string, string> values, string? submitName = null, string? submitValue = null,
        Func<Uri, bool>? stopAt = null, Func<IHtmlFormElement, bool>? which = null)
    {
        var form = page.Form(which);
        var fields = form.Fields.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            fields[name] = value;
        }

        var list = fields.ToList();
        if (submitName is not null)
        {
            list.Add(new(submitName, submitValue ?? string.Empty));
        }

        var action = string.IsNullOrEmpty(form.Action) ? page.Uri : new Uri(page.Uri, form.Action);
        return await FollowAsync(await PostFormAsync(action.ToString(), list), stopAt);
    }

    /// <summary>
    /// Runs an authorization request to the end: signs in when asked (with <paramref name="credentials"/>),
    /// answers the consent page with <paramref name="consentDecision"/>, and returns the parameters the
    /// agency's redirect URI receives.
    /// </summary>
    public async Task<AuthorizationResponse> AuthorizeAsync(AuthorizationRequest request, (string Username, string Password)? credentials = null,
        string consentDecision = "allow")
    {
        bool AtAgency(Uri uri) => uri.ToString().StartsWith(request.RedirectUri ?? "\u0000", StringComparison.Ordinal) || !IsOurs(uri);
        var page = await NavigateAsync(request.ToUrl(), AtAgency);
        for (var step = 0; step < 5 && !page.StoppedAtRedirect; step++)
        {
            if (page.IsLoginPage)
            {
                if (credentials is null)
                {
                    return new AuthorizationResponse(page, null);
                }

                page = await SubmitAsync(page, new Dictionary<string, string>
                {
                    ["username"] = credentials.Value.Username,
                    ["password"] = credentials.Value.Password,
                }, stopAt: AtAgency);
                credentials = null; // a second login page means the first attempt failed
            }
            else if (page.IsConsentPage)
            {
                page = await SubmitAsync(page, new Dictionary<string, string>(), "decision", consentDecision, AtAgency);
            }
            else
            {
                break;
            }
        }

        return new AuthorizationResponse(page, page.StoppedAtRedirect ? page.Uri : null);
    }

    public async Task<BrowserPage> SignInAsync(string username, string password = TestSeed.Password)
    {
        var page = await NavigateAsync("/account/login");
        return await SubmitAsync(page, new Dictionary<string, string> { ["username"] = username, ["password"] = password });
    }

    private bool IsOurs(Uri uri) => uri.Authority == host.Issuer.Authority || uri.Host == "localhost" && host.Issuer.Host == "localhost" && uri.Port == host.Issuer.Port;

    public void Dispose() => http.Dispose();
}

public sealed record BrowserPage(Uri Uri, HttpResponseMessage Response, string Html)
{
    private static readonly HtmlParser Parser = new();

    public bool StoppedAtRedirect { get; init; }

    public HttpStatusCode Status => Response.StatusCode;

    public IHtmlDocument Document => Parser.ParseDocument(Html);

    public bool IsLoginPage => Document.QuerySelector("input[name=password]") is not null;

    public bool IsConsentPage => Document.QuerySelector("button[name=decision][value=allow]") is not null;

    public bool IsLogoutConfirmation => Document.QuerySelector("button[name=logout][value=yes]") is not null;

    public HtmlForm Form(Func<IHtmlFormElement, bool>? which = null)
    {
        var form = Document.Forms.FirstOrDefault(f => which?.Invoke(f) ?? true)
            ?? throw new InvalidOperationException($"No form on {Uri}: {Html[..Math.Min(Html.Length, 500)]}");
        var fields = form.Elements.OfType<IHtmlInputElement>()
            .Where(input => !string.IsNullOrEmpty(input.Name) && input.Type is not "submit" and not "button")
            .Select(input => new KeyValuePair<string, string>(input.Name!, input.Value))
            .ToList();
        return new HtmlForm(form.GetAttribute("action"), form.Method, fields);
    }

    /// <summary>The query parameters of the redirect (for an authorization response).</summary>
    public Dictionary<string, string> RedirectParameters() =>
        QueryHelpers.ParseQuery(Uri.Query).ToDictionary(pair => pair.Key, pair => pair.Value.ToString(), StringComparer.Ordinal);
}

public sealed record HtmlForm(string? Action, string Method, IReadOnlyList<KeyValuePair<string, string>> Fields);

/// <summary>What came back from an authorization request: the agency callback, or the page where it stopped.</summary>
public sealed record AuthorizationResponse(BrowserPage Page, Uri? Callback)
{
    public Dictionary<string, string> Parameters => Callback is null
        ? []
        : QueryHelpers.ParseQuery(Callback.Query).ToDictionary(pair => pair.Key, pair => pair.Value.ToString(), StringComparer.Ordinal);

    public string? Code => Parameters.GetValueOrDefault("code");

    public string? Error => Parameters.GetValueOrDefault("error");
}
