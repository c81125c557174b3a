using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Xunit;

namespace OnePass.TestKit;

/// <summary>A seeded agency and the steps it takes to get a code and tokens for a citizen.</summary>
public sealed record Agency(string ClientId, string? Secret, string RedirectUri, string Scope)
{
    public static readonly Agency Tax = new(TestSeed.TaxClient, TestSeed.TaxSecret, TestSeed.TaxRedirect, "openid profile email offline_access");

    public static readonly Agency Health = new(TestSeed.HealthClient, TestSeed.HealthSecret, TestSeed.HealthRedirect, "openid profile email offline_access");

    public static readonly Agency CitizenApp = new(TestSeed.PublicClient, null, TestSeed.PublicRedirect, "openid profile offline_access");

    /// <summary>Signs <paramref name="username"/> in with a fresh browser and returns the code sent to the agency.</summary>
    public async Task<(AuthorizationRequest Request, string Code)> CodeAsync(OnePassHost host, string username = TestSeed.Citizen, string? scope = null)
    {
        var request = new AuthorizationRequest(ClientId, RedirectUri) { Scope = scope ?? Scope };
        using var browser = host.CreateBrowser();
        var response = await browser.AuthorizeAsync(request, (username, TestSeed.Password));
        Assert.True(response.Code is not null, $"No code: {response.Page.Uri} {response.Page.Status}");
        return (request, response.Code!);
    }

    /// <summary>Runs the code flow and redeems the code; the token response is a success.</summary>
    public async Task<ProtocolResponse> TokensAsync(OnePassHost host, string username = TestSeed.Citizen, string? scope = null)
    {
        var (request, code) = await CodeAsync(host, username, scope);
        var response = await new TokenClient(host.CreateProtocolClient()).RedeemCodeAsync(ClientId, Secret, code, request.CodeVerifier, RedirectUri);
        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
        return response;
    }

    public Task<ProtocolResponse> RefreshAsync(OnePassHost host, string refreshToken, string? scope = null) =>
        new TokenClient(host.CreateProtocolClient()).RefreshAsync(ClientId, Secret, refreshToken, scope);

    /// <summary>A form POST with client_secret_basic (when the agency has a secret) and a raw body.</summary>
    public HttpRequestMessage Post(string path, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (Secret is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{Uri.EscapeDataString(Secret)}")));
        }

        return request;
    }
}
