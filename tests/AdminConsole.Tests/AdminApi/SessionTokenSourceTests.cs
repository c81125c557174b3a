using System.Globalization;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using OnePass.AdminConsole.Infrastructure.AdminApi;
using OnePass.AdminConsole.Infrastructure.Authentication;

namespace OnePass.AdminConsole.Tests.AdminApi;

/// <summary>
/// The console's tokens live in the server-side session; an access token about to expire is renewed with the
/// refresh token, once per session even under parallel requests, because OnePass revokes a reused refresh token.
/// </summary>
public sealed class SessionTokenSourceTests : IDisposable
{
    private const string TokenEndpoint = "https://onepass.test/connect/token";
    // Starts at the real time: the memory cache behind the ticket store expires entries by the system
    // clock, so a fixed date 8 hours in the past made every stored session expire on arrival.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly ServerSideTicketStore _store;
    private readonly TokenEndpointStub _tokenEndpoint = new();
    private readonly HttpClient _tokenClient;
    private readonly DefaultHttpContext _context = new();

    public SessionTokenSourceTests()
    {
        var cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        _store = new ServerSideTicketStore(cache, new EphemeralDataProtectionProvider(), _clock);
        _tokenClient = new HttpClient(_tokenEndpoint);
    }

    public void Dispose()
    {
        _tokenClient.Dispose();
        _tokenEndpoint.Dispose();
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task GetAccessToken_WhenTokenIsValidBeyondAMinute_ReturnsItWithoutRefreshing()
    {
        await SignInAsync(expiresIn: TimeSpan.FromMinutes(5));

        var token = await Source().GetAccessTokenAsync(CancellationToken.None);

        Assert.Equal("access-1", token);
        Assert.Equal(0, _tokenEndpoint.Calls);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task GetAccessToken_WhenTokenExpiresWithinAMinute_RefreshesOnceForParallelCallsAndStoresTheNewTokens()
    {
        var key = await SignInAsync(expiresIn: TimeSpan.FromSeconds(30));
        _tokenEndpoint.Hold();
        var source = Source();

        var calls = Enumerable.Range(0, 8).Select(_ => source.GetAccessTokenAsync(CancellationToken.None)).ToList();
        _tokenEndpoint.Release();
        var tokens = await Task.WhenAll(calls);

        Assert.All(tokens, token => Assert.Equal("access-2", token));
        Assert.Equal(1, _tokenEndpoint.Calls);
        Assert.Contains("grant_type=refresh_token", _tokenEndpoint.LastBody, StringComparison.Ordinal);
        Assert.Contains("refresh_token=refresh-1", _tokenEndpoint.LastBody, StringComparison.Ordinal);
        Assert.Contains("client_id=onepass-admin", _tokenEndpoint.LastBody, StringComparison.Ordinal);
        var stored = (await _store.RetrieveAsync(key))!.Properties;
        Assert.Equal("access-2", stored.GetTokenValue("access_token"));
        Assert.Equal("refresh-2", stored.GetTokenValue("refresh_token"));
        Assert.Equal(_clock.GetUtcNow().AddSeconds(300), DateTimeOffset.Parse(stored.GetTokenValue("expires_at")!, CultureInfo.InvariantCulture));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task GetAccessToken_WhenRefreshIsRefused_RequiresSignInAndEndsTheSession()
    {
        var key = await SignInAsync(expiresIn: TimeSpan.FromSeconds(10));
        _tokenEndpoint.Refuse = true;

        await Assert.ThrowsAsync<AdminApiSignInRequiredException>(() => Source().GetAccessTokenAsync(CancellationToken.None));

        Assert.Null(await _store.RetrieveAsync(key));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task GetAccessToken_WithoutASession_RequiresSignIn()
    {
        _context.User = new ClaimsPrincipal(new ClaimsIdentity());

        await Assert.ThrowsAsync<AdminApiSignInRequiredException>(() => Source().GetAccessTokenAsync(CancellationToken.None));
    }

    private SessionTokenSource Source()
    {
        var options = new OpenIdConnectOptions { ClientId = "onepass-admin", Configuration = new OpenIdConnectConfiguration { TokenEndpoint = TokenEndpoint } };
        var refresher = new TokenRefresher(_tokenClient, new StaticOptionsMonitor<OpenIdConnectOptions>(options));
        return new SessionTokenSource(new HttpContextAccessor { HttpContext = _context }, _store, refresher, _clock);
    }

    private async Task<string> SignInAsync(TimeSpan expiresIn)
    {
        var properties = new AuthenticationProperties();
        properties.StoreTokens(
        [
            new AuthenticationToken { Name = "access_token", Value = "access-1" },
            new AuthenticationToken { Name = "refresh_token", Value = "refresh-1" },
            new AuthenticationToken { Name = "expires_at", Value = _clock.GetUtcNow().Add(expiresIn).ToString("o", CultureInfo.InvariantCulture) },
        ]);
        var identity = new ClaimsIdentity([new Claim("sub", "admin-sub"), new Claim("role", "admin")], "Cookies");
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(identity), properties, "Cookies");
        var key = await _store.StoreAsync(ticket);

        // What the cookie handler hands to the page: the stored principal, with its session key claim.
        _context.User = (await _store.RetrieveAsync(key))!.Principal;
        return key;
    }

    private sealed class TokenEndpointStub : HttpMessageHandler
    {
        private TaskCompletionSource _gate = CreateOpenGate();
        private int _calls;

        public int Calls => _calls;

        public string LastBody { get; private set; } = string.Empty;

        public bool Refuse { get; set; }

        public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _gate.TrySetResult();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            LastBody = await request.Content!.ReadAsStringAsync(cancellationToken);
            await _gate.Task;
            return Refuse
                ? StubAdminApi.Json("""{"error":"invalid_grant","error_description":"The refresh token is no longer valid."}""", HttpStatusCode.BadRequest)
                : StubAdminApi.Json("""{"access_token":"access-2","refresh_token":"refresh-2","id_token":"id-2","token_type":"Bearer","expires_in":300}""");
        }

        private static TaskCompletionSource CreateOpenGate()
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            gate.SetResult();
            return gate;
        }
    }

    private sealed class StaticOptionsMonitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
