using System.Net;
using AngleSharp.Html.Dom;
using OnePass.TestKit;

namespace OnePass.Cluster.Tests.Kit;

/// <summary>
/// TestKit's <see cref="BrowserClient"/> for a cluster: the browser only ever sees the issuer's URLs and
/// keeps its cookies for them, while each request goes to the node <see cref="Node"/> names at that
/// moment — a load balancer the test steers. Change <see cref="Node"/> between two steps of a flow to
/// finish on another node what one began.
/// </summary>
public sealed class ClusterBrowser : IDisposable
{
    private readonly HttpClient _http;

    public ClusterBrowser(IdentityNode node, CookieContainer? cookies = null, TimeSpan? timeout = null)
    {
        Node = node;
        Issuer = node.Issuer;
        Cookies = cookies ?? new CookieContainer();
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            Timeout = timeout ?? TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>The node that serves the next request.</summary>
    public IdentityNode Node { get; set; }

    public Uri Issuer { get; }

    public CookieContainer Cookies { get; }

    /// <summary>A copy of this browser's cookies: what an attacker (or a back button) could replay later.</summary>
    public CookieContainer CopyCookies()
    {
        var copy = new CookieContainer();
        foreach (Cookie cookie in Cookies.GetAllCookies())
        {
            copy.Add(new Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain));
        }

        return copy;
    }

    /// <summary>Sends <paramref name="request"/> (relative or under the issuer) to <see cref="Node"/>, with this browser's cookies.</summary>
    public async Task<(HttpResponseMessage Response, Uri Uri)> SendAsync(HttpRequestMessage request)
    {
        var uri = request.RequestUri!.IsAbsoluteUri ? request.RequestUri : new Uri(Issuer, request.RequestUri);
        var cookieHeader = Cookies.GetCookieHeader(uri);
        if (!string.IsNullOrEmpty(cookieHeader))
        {
            request.Headers.Add("Cookie", cookieHeader);
        }

        request.RequestUri = IsOurs(uri) ? new UriBuilder(uri) { Port = Node.Port }.Uri : uri;
        request.Headers.Host = uri.Authority;
        var response = await _http.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var setCookie in setCookies)
            {
                Cookies.SetCookies(uri, setCookie);
            }
        }

        return (response, uri);
    }

    public Task<(HttpResponseMessage Response, Uri Uri)> GetAsync(string url) => SendAsync(new HttpRequestMessage(HttpMethod.Get, url));

    /// <summary>Follows our redirects until a page is shown or the next location satisfies <paramref name="stopAt"/>.</summary>
    public async Task<BrowserPage> FollowAsync((HttpResponseMessage Response, Uri Uri) sent, Func<Uri, bool>? stopAt = null, int maxRedirects = 10)
    {
        var (response, current) = sent;
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
            (response, _) = await GetAsync(next.ToString());
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
        var post = new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(list) };
        return await FollowAsync(await SendAsync(post), stopAt);
    }

    /// <summary>Submits the login form of <paramref name="page"/> with the seeded password.</summary>
    public Task<BrowserPage> SubmitPasswordAsync(BrowserPage page, AuthorizationRequest request, string username = TestSeed.Citizen) =>
        SubmitAsync(page, new Dictionary<string, string> { ["username"] = username, ["password"] = TestSeed.Password }, stopAt: AtAgency(request));

    /// <summary>Answers the consent page.</summary>
    public Task<BrowserPage> ConsentAsync(BrowserPage page, AuthorizationRequest request, string decision = "allow") =>
        SubmitAsync(page, new Dictionary<string, string>(), "decision", decision, AtAgency(request));

    /// <summary>Starts an authorization request and stops at the first page OnePass shows (or at the agency).</summary>
    public Task<BrowserPage> BeginAsync(AuthorizationRequest request) => NavigateAsync(request.ToUrl(), AtAgency(request));

    /// <summary>
    /// Runs an authorization request to the end like <see cref="BrowserClient.AuthorizeAsync"/>: signs in when
    /// asked (only with <paramref name="credentials"/>), consents, and returns what reached the agency.
    /// </summary>
    public async Task<AuthorizationResponse> AuthorizeAsync(AuthorizationRequest request, (string Username, string Password)? credentials = null,
        string consentDecision = "allow")
    {
        var page = await BeginAsync(request);
        return await ContinueAsync(page, request, credentials, consentDecision);
    }

    /// <summary>Carries a flow on from <paramref name="page"/> (login, consent) to the agency.</summary>
    public async Task<AuthorizationResponse> ContinueAsync(BrowserPage page, AuthorizationRequest request,
        (string Username, string Password)? credentials = null, string consentDecision = "allow")
    {
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
                }, stopAt: AtAgency(request));
                credentials = null; // a second login page means the first attempt failed
            }
            else if (page.IsConsentPage)
            {
                page = await ConsentAsync(page, request, consentDecision);
            }
            else
            {
                break;
            }
        }

        return new AuthorizationResponse(page, page.StoppedAtRedirect ? page.Uri : null);
    }

    public void Dispose() => _http.Dispose();

    private Func<Uri, bool> AtAgency(AuthorizationRequest request) =>
        uri => uri.ToString().StartsWith(request.RedirectUri ?? "\u0000", StringComparison.Ordinal) || !IsOurs(uri);

    private bool IsOurs(Uri uri) => uri.Authority == Issuer.Authority;
}
