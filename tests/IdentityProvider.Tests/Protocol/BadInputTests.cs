using System.Net;
using System.Text;
using System.Text.Json;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Protocol;

/// <summary>The identity provider on a real loopback socket, so Kestrel's request limits apply as in production.</summary>
public sealed class RealSocketHostFixture : IDisposable
{
    public OnePassHost Host { get; } = new(new OnePassHostOptions { RealSocket = true });

    public void Dispose() => Host.Dispose();
}

/// <summary>
/// Bad input at every endpoint (issue 2, "Bad input at every endpoint"): a 4xx with an error, never a
/// 5xx, and nothing persisted.
/// </summary>
public sealed class BadInputTests(RealSocketHostFixture fixture) : IClassFixture<RealSocketHostFixture>
{
    private readonly OnePassHost _host = fixture.Host;

    /// <summary>An endpoint: how it is called, the parameters of a plausible request, and the one to abuse.</summary>
    private sealed record Endpoint(string Method, string Path, bool ClientAuth, string Target, params string[] Parameters)
    {
        /// <summary>Introspection and revocation answer an unreadable token with 200 (RFC 7662 §2.2, RFC 7009 §2.2).</summary>
        public bool InvalidTokenIsOk => Path is "/connect/introspect" or "/connect/revoke";

        public List<KeyValuePair<string, string>> Fields()
        {
            var fields = new List<KeyValuePair<string, string>>();
            for (var i = 0; i < Parameters.Length; i += 2)
            {
                fields.Add(new(Parameters[i], Parameters[i + 1]));
            }

            return fields;
        }
    }

    private static readonly string[] AuthorizeParameters =
    [
        "client_id", TestSeed.TaxClient, "redirect_uri", TestSeed.TaxRedirect, "response_type", "code", "scope", "openid",
        "code_challenge", Pkce.Challenge(Pkce.NewVerifier()), "code_challenge_method", "S256", "state", "abc",
    ];

    private static readonly Dictionary<string, Endpoint> Endpoints = new(StringComparer.Ordinal)
    {
        ["authorize GET"] = new("GET", "/connect/authorize", false, "client_id", AuthorizeParameters),
        ["authorize POST"] = new("POST", "/connect/authorize", false, "client_id", AuthorizeParameters),
        ["token"] = new("POST", "/connect/token", true, "code",
            "grant_type", "authorization_code", "code", "not-a-code", "redirect_uri", TestSeed.TaxRedirect, "code_verifier", Pkce.NewVerifier()),
        ["userinfo"] = new("POST", "/connect/userinfo", false, "access_token", "access_token", "not-a-token"),
        ["introspect"] = new("POST", "/connect/introspect", true, "token", "token", "not-a-token"),
        ["revoke"] = new("POST", "/connect/revoke", true, "token", "token", "not-a-token", "token_type_hint", "refresh_token"),
        ["par"] = new("POST", "/connect/par", true, "redirect_uri", AuthorizeParameters),
        ["endsession GET"] = new("GET", "/connect/endsession", false, "id_token_hint",
            "id_token_hint", "not-a-token", "post_logout_redirect_uri", TestSeed.TaxPostLogout, "state", "abc"),
        ["endsession POST"] = new("POST", "/connect/endsession", false, "id_token_hint",
            "id_token_hint", "not-a-token", "post_logout_redirect_uri", TestSeed.TaxPostLogout, "state", "abc"),
        ["login"] = new("POST", "/account/login", false, "username", "username", TestSeed.Citizen, "password", TestSeed.Password),
    };

    private static readonly string[] QueryKinds = ["duplicated", "10000 chars", "non-UTF-8", "10000 parameters"];

    private static readonly string[] BodyKinds = ["missing", "duplicated", "10000 chars", "non-UTF-8", "JSON", "multipart", "1 MB", "10000 parameters"];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, endpoint) in Endpoints)
        {
            foreach (var kind in endpoint.Method == "GET" ? QueryKinds : BodyKinds)
            {
                // End-session requests are cached (and so stored) before the hint is read, and a request
                // without parameters is valid (CONTRACT §1.3): only the transport-level cases apply there.
                if (endpoint.Path == "/connect/endsession" && kind is "missing" or "duplicated" or "10000 chars" or "non-UTF-8")
                {
                    continue;
                }

                data.Add(name, kind);
            }
        }

        return data;
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-TK-08")]
    [Trait(Catalogue.Row, "IN-TK-09")]
    [Trait(Catalogue.Row, "IN-AZ-01")]
    [Trait(Catalogue.Row, "IN-UI-01")]
    [MemberData(nameof(Cases))]
    public async Task Endpoint_WithBadInput_Returns4xxWithError_AndPersistsNothing(string endpointName, string kind)
    {
        var endpoint = Endpoints[endpointName];
        var before = await _host.CountRowsAsync();
        using var request = Build(endpoint, kind);

        using var response = await _host.CreateProtocolClient().SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        var status = (int)response.StatusCode;
        var tokenOnly = endpoint.InvalidTokenIsOk && kind is "10000 chars" or "non-UTF-8" && status == 200;
        Assert.True(status is >= 400 and < 500 || tokenOnly, $"{endpointName} / {kind}: {status} {response.Headers.Location} {body[..Math.Min(body.Length, 500)]}");
        if (response.Content.Headers.ContentType?.MediaType == "application/json" && !tokenOnly)
        {
            Assert.True(JsonDocument.Parse(body).RootElement.TryGetProperty("error", out _), body);
        }

        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.Equal(before, await _host.CountRowsAsync());
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-TK-08")]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Token_WithOtherMethodThanPost_Returns4xx(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/connect/token?grant_type=client_credentials");

        using var response = await _host.CreateProtocolClient().SendAsync(request);

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.MethodNotAllowed });
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-09")]
    public async Task Token_AfterOversizedBodies_StaysResponsive()
    {
        for (var i = 0; i < 5; i++)
        {
            using var oversized = Build(Endpoints["token"], "1 MB");
            using var _ = await _host.CreateProtocolClient().SendAsync(oversized);
        }

        var response = await new TokenClient(_host.CreateProtocolClient()).ClientCredentialsAsync(TestSeed.MachineClient, TestSeed.MachineSecret);

        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    private static HttpRequestMessage Build(Endpoint endpoint, string kind)
    {
        var fields = endpoint.Fields();
        string? rawForm = null;
        HttpContent? content = null;
        switch (kind)
        {
            case "missing":
                fields.Clear();
                break;
            case "duplicated":
                fields.AddRange(fields.Select(pair => new KeyValuePair<string, string>(pair.Key, pair.Value + "-again")).ToList());
                break;
            case "10000 chars":
                fields = [.. fields.Select(pair => pair.Key == endpoint.Target ? new(pair.Key, new string('x', 10_000)) : pair)];
                break;
            case "non-UTF-8":
                rawForm = string.Join('&', fields.Select(pair => pair.Key == endpoint.Target
                    ? $"{Uri.EscapeDataString(pair.Key)}=%FF%FE"
                    : $"{Uri.EscapeDataString(pair.Key)}={Uri.EscapeDataString(pair.Value)}"));
                break;
            case "JSON":
                content = new StringContent(JsonSerializer.Serialize(fields.ToDictionary(pair => pair.Key, pair => pair.Value)), Encoding.UTF8, "application/json");
                break;
            case "multipart":
                var multipart = new MultipartFormDataContent();
                foreach (var (key, value) in fields)
                {
                    multipart.Add(new StringContent(value), key);
                }

                content = multipart;
                break;
            case "1 MB":
                fields.Add(new("padding", new string('x', 1024 * 1024)));
                break;
            case "10000 parameters":
                fields.AddRange(Enumerable.Range(0, 10_000).Select(i => new KeyValuePair<string, string>($"p{i}", "1")));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown kind of bad input.");
        }

        rawForm ??= string.Join('&', fields.Select(pair => $"{Uri.EscapeDataString(pair.Key)}={Uri.EscapeDataString(pair.Value)}"));
        HttpRequestMessage request;
        if (endpoint.Method == "GET")
        {
            request = new HttpRequestMessage(HttpMethod.Get, rawForm.Length == 0 ? endpoint.Path : endpoint.Path + "?" + rawForm);
        }
        else
        {
            content ??= new StringContent(rawForm, Encoding.ASCII, "application/x-www-form-urlencoded");
            if (content.Headers.ContentType is { } type && type.MediaType == "application/x-www-form-urlencoded")
            {
                type.CharSet = null;
            }

            request = new HttpRequestMessage(HttpMethod.Post, endpoint.Path) { Content = content };

            // Like a browser or curl with a large body: ask first, so a 413 arrives before the body is sent
            // instead of racing the client's upload (which then fails with a broken pipe).
            request.Headers.ExpectContinue = true;
        }

        if (endpoint.ClientAuth)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestSeed.TaxClient}:{TestSeed.TaxSecret}")));
        }

        return request;
    }
}
