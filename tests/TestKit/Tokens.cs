using System.Net.Http.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OnePass.TestKit;

/// <summary>Validates tokens the way an agency would: signature from JWKS, issuer, audience, lifetime.</summary>
public static class Tokens
{
    public static async Task<JsonWebToken> ValidateIdTokenAsync(HttpClient http, Uri issuer, string idToken, string audience)
    {
        var jwks = new JsonWebKeySet(await http.GetStringAsync("/.well-known/jwks"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = issuer.ToString(),
            ValidAudience = audience,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidateLifetime = true,
        });
        if (!result.IsValid)
        {
            throw new InvalidOperationException("The ID token is not valid: " + result.Exception?.Message);
        }

        return (JsonWebToken)result.SecurityToken;
    }

    public static JsonWebToken Read(string token) => new(token);
}
