using System.Net;
using System.Text.Json;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Keys;

/// <summary>Small steps the key and subject tests share: a full code flow, and reading JWKS.</summary>
public static class SignInFlow
{
    /// <summary>Signs <paramref name="username"/> in at an agency and redeems the code; the token response.</summary>
    public static async Task<ProtocolResponse> TokensAsync(
        OnePassHost host, BrowserClient browser, string clientId, string secret, string redirectUri,
        string scope = "openid profile", string username = TestSeed.Citizen)
    {
        var request = new AuthorizationRequest(clientId, redirectUri) { Scope = scope };
        var response = await browser.AuthorizeAsync(request, (username, TestSeed.Password));
        Assert.True(response.Code is not null, $"no code: {response.Page.Uri} {response.Page.Status}");

        var redeemed = await new TokenClient(host.CreateProtocolClient())
            .RedeemCodeAsync(clientId, secret, response.Code!, request.CodeVerifier, redirectUri);
        Assert.True(redeemed.Status == HttpStatusCode.OK, redeemed.Body);
        return redeemed;
    }

    /// <summary>A fresh browser signs the citizen in at the tax agency; the token response.</summary>
    public static Task<ProtocolResponse> TaxTokensAsync(OnePassHost host) => Agency.Tax.TokensAsync(host, scope: "openid profile");

    public static async Task<JsonElement[]> JwksKeysAsync(OnePassHost host)
    {
        using var http = host.CreateProtocolClient();
        using var document = JsonDocument.Parse(await http.GetStringAsync("/.well-known/jwks"));
        return [.. document.RootElement.GetProperty("keys").EnumerateArray().Select(key => key.Clone())];
    }

    public static async Task<string[]> JwksKeyIdsAsync(OnePassHost host) =>
        [.. (await JwksKeysAsync(host)).Select(key => key.GetProperty("kid").GetString()!)];
}
