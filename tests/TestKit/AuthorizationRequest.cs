using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace OnePass.TestKit;

/// <summary>An authorization request with PKCE S256, state and nonce filled in; change what a test needs.</summary>
public sealed record AuthorizationRequest
{
    public AuthorizationRequest(string clientId, string? redirectUri)
    {
        ClientId = clientId;
        RedirectUri = redirectUri;
        CodeVerifier = Pkce.NewVerifier();
        CodeChallenge = Pkce.Challenge(CodeVerifier);
    }

    public string ClientId { get; init; }

    public string? RedirectUri { get; init; }

    public string? ResponseType { get; init; } = "code";

    public string? Scope { get; init; } = "openid profile email";

    public string? State { get; init; } = Pkce.NewVerifier()[..16];

    public string? Nonce { get; init; } = Pkce.NewVerifier()[..16];

    public string CodeVerifier { get; init; }

    public string? CodeChallenge { get; init; }

    public string? CodeChallengeMethod { get; init; } = "S256";

    public Dictionary<string, string> Extra { get; init; } = [];

    public Dictionary<string, string?> Parameters()
    {
        var parameters = new Dictionary<string, string?>
        {
            ["client_id"] = ClientId,
            ["redirect_uri"] = RedirectUri,
            ["response_type"] = ResponseType,
            ["scope"] = Scope,
            ["state"] = State,
            ["nonce"] = Nonce,
            ["code_challenge"] = CodeChallenge,
            ["code_challenge_method"] = CodeChallengeMethod,
        };
        foreach (var (key, value) in Extra)
        {
            parameters[key] = value;
        }

        return parameters.Where(pair => pair.Value is not null).ToDictionary(pair => pair.Key, pair => pair.Value);
    }

    public string ToUrl(string endpoint = "/connect/authorize") => QueryHelpers.AddQueryString(endpoint, Parameters());
}

public static class Pkce
{
    public static string NewVerifier() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Challenge(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
