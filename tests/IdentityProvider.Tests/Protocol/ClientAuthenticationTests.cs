using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Protocol;

/// <summary>A host with an agency that authenticates with private_key_jwt (seed <c>jwks</c>).</summary>
public sealed class PrivateKeyJwtHostFixture : IDisposable
{
    public const string ClientId = "agency-keys";
    public const string KeyId = "agency-keys-1";

    public PrivateKeyJwtHostFixture()
    {
        var parameters = Key.ExportParameters(includePrivateParameters: false);
        var jwk = new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["kid"] = KeyId,
            ["n"] = Pkce.Base64Url(parameters.Modulus!),
            ["e"] = Pkce.Base64Url(parameters.Exponent!),
        };
        Host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureSeed = seed =>
            {
                var client = TestSeed.Client(ClientId, null, "Key Agency", [], [], "implicit", ["client_credentials"], ["profile"]);
                client["jwks"] = new JsonObject { ["keys"] = new JsonArray(jwk) };
                ((JsonArray)seed["clients"]!).Add(client);
            },
        });
    }

    public RSA Key { get; } = RSA.Create(2048);

    public OnePassHost Host { get; }

    public void Dispose()
    {
        Host.Dispose();
        Key.Dispose();
    }
}

public sealed class ClientAuthenticationTests(PrivateKeyJwtHostFixture fixture) : IClassFixture<PrivateKeyJwtHostFixture>
{
    private const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private readonly OnePassHost _host = fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-02")]
    public async Task Token_WithWrongSecretInBasicHeader_Returns401InvalidClientWithChallenge()
    {
        var response = await new TokenClient(_host.CreateProtocolClient()).ClientCredentialsAsync(TestSeed.MachineClient, "wrong-secret-0123456789-0123456789-abcd");

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("invalid_client", response.Error);
        Assert.Contains(response.Response.Headers.WwwAuthenticate, challenge => challenge.Scheme == "Basic");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-02")]
    public async Task Token_WithUnknownClient_ReturnsInvalidClient()
    {
        var response = await new TokenClient(_host.CreateProtocolClient()).ClientCredentialsAsync("agency-unknown", TestSeed.MachineSecret);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("invalid_client", response.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-02")]
    public async Task Token_ConfidentialClientWithoutCredentials_ReturnsInvalidClient()
    {
        var response = await Send(new() { ["grant_type"] = "client_credentials", ["client_id"] = TestSeed.MachineClient });

        // RFC 6749 §5.2: 401 is required only when the client tried the Authorization header;
        // OpenIddict names the missing secret as a missing parameter (invalid_request).
        Assert.True(response.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, response.Body);
        Assert.Contains(response.Error, new[] { "invalid_client", "invalid_request" });
        Assert.Null(response["access_token"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-03")]
    public async Task Token_WithBasicHeaderAndClientSecretInBody_ReturnsInvalidRequest()
    {
        var response = await Send(
            new() { ["grant_type"] = "client_credentials", ["client_id"] = TestSeed.MachineClient, ["client_secret"] = TestSeed.MachineSecret },
            basic: (TestSeed.MachineClient, TestSeed.MachineSecret));

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-02")]
    public async Task Token_WithClientSecretPost_Succeeds()
    {
        var response = await Send(new() { ["grant_type"] = "client_credentials", ["client_id"] = TestSeed.MachineClient, ["client_secret"] = TestSeed.MachineSecret });

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.NotNull(response["access_token"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-02")]
    public async Task Token_WithPrivateKeyJwt_Succeeds()
    {
        var assertion = Assertion(new SigningCredentials(new RsaSecurityKey(fixture.Key) { KeyId = PrivateKeyJwtHostFixture.KeyId }, SecurityAlgorithms.RsaSha256));

        var response = await SendAssertion(assertion);

        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
        Assert.NotNull(response["access_token"]);
    }

    [Theory]
    [Trait(Catalogue.Row, "AT-31")]
    [InlineData("token endpoint")]
    [InlineData("foreign")]
    public async Task Token_WithPrivateKeyJwt_AndAudienceOtherThanTheIssuer_IsRefused(string audience)
    {
        // draft-ietf-oauth-rfc7523bis (after CVE-2025-27370): the audience is the issuer, nothing else.
        var assertion = Assertion(
            new SigningCredentials(new RsaSecurityKey(fixture.Key) { KeyId = PrivateKeyJwtHostFixture.KeyId }, SecurityAlgorithms.RsaSha256),
            audience: audience == "foreign" ? "https://other-idp.example/" : new Uri(_host.Issuer, "connect/token").ToString());

        var response = await SendAssertion(assertion);

        Assert.True(response.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, response.Body);
        Assert.NotNull(response.Error);
        Assert.Null(response["access_token"]);
    }

    [Theory]
    [Trait(Catalogue.Row, "AT-31")]
    [InlineData("alg none")]
    [InlineData("wrong key")]
    [InlineData("wrong key, registered kid")]
    [InlineData("HS256 with the public key")]
    [InlineData("jku header")]
    [InlineData("expired")]
    [InlineData("other issuer")]
    public async Task Token_WithBadClientAssertion_ReturnsInvalidClient(string kind)
    {
        using var otherKey = RSA.Create(2048);
        var registered = new SigningCredentials(new RsaSecurityKey(fixture.Key) { KeyId = PrivateKeyJwtHostFixture.KeyId }, SecurityAlgorithms.RsaSha256);
        var assertion = kind switch
        {
            "alg none" => Unsigned(),
            "wrong key" => Assertion(new SigningCredentials(new RsaSecurityKey(otherKey) { KeyId = "attacker" }, SecurityAlgorithms.RsaSha256)),
            "wrong key, registered kid" => Assertion(new SigningCredentials(new RsaSecurityKey(otherKey) { KeyId = PrivateKeyJwtHostFixture.KeyId }, SecurityAlgorithms.RsaSha256)),
            "HS256 with the public key" => Assertion(new SigningCredentials(
                new SymmetricSecurityKey(fixture.Key.ExportRSAPublicKey()) { KeyId = PrivateKeyJwtHostFixture.KeyId }, SecurityAlgorithms.HmacSha256)),
            "jku header" => Assertion(
                new SigningCredentials(new RsaSecurityKey(otherKey) { KeyId = "attacker" }, SecurityAlgorithms.RsaSha256),
                headers: new Dictionary<string, object> { ["jku"] = "http://127.0.0.1:9/jwks", ["x5u"] = "http://127.0.0.1:9/cert" }),
            "expired" => Assertion(registered, expires: DateTime.UtcNow.AddMinutes(-10)),
            _ => Assertion(registered, issuer: TestSeed.MachineClient),
        };

        var response = await SendAssertion(assertion);

        Assert.True(response.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, response.Body);
        Assert.Contains(response.Error, new[] { "invalid_client", "invalid_request" });
        Assert.Null(response["access_token"]);
    }

    private string Assertion(SigningCredentials credentials, string? audience = null, DateTime? expires = null, string? issuer = null,
        Dictionary<string, object>? headers = null)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? PrivateKeyJwtHostFixture.ClientId,
            Audience = audience ?? _host.Issuer.ToString(),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = PrivateKeyJwtHostFixture.ClientId,
                ["jti"] = Guid.NewGuid().ToString("N"),
            },
            IssuedAt = expires is null ? now : expires.Value.AddMinutes(-5),
            NotBefore = expires is null ? now : expires.Value.AddMinutes(-5),
            Expires = expires ?? now.AddMinutes(2),
            SigningCredentials = credentials,
            // draft-ietf-oauth-rfc7523bis: explicitly typed client authentication JWTs.
            TokenType = "client-authentication+jwt",
            AdditionalHeaderClaims = headers,
        });
    }

    private string Unsigned()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Pkce.Base64Url(Encoding.UTF8.GetBytes("{\"alg\":\"none\",\"typ\":\"JWT\"}"));
        var payload = Pkce.Base64Url(Encoding.UTF8.GetBytes(new JsonObject
        {
            ["iss"] = PrivateKeyJwtHostFixture.ClientId,
            ["sub"] = PrivateKeyJwtHostFixture.ClientId,
            ["aud"] = _host.Issuer.ToString(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = now,
            ["exp"] = now + 120,
        }.ToJsonString()));
        return $"{header}.{payload}.";
    }

    private Task<ProtocolResponse> SendAssertion(string assertion) => Send(new()
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = PrivateKeyJwtHostFixture.ClientId,
        ["client_assertion_type"] = AssertionType,
        ["client_assertion"] = assertion,
    });

    private async Task<ProtocolResponse> Send(Dictionary<string, string> fields, (string Id, string Secret)? basic = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(fields) };
        if (basic is { } credentials)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Id}:{credentials.Secret}")));
        }

        return await ProtocolResponse.ReadAsync(await _host.CreateProtocolClient().SendAsync(request));
    }
}
