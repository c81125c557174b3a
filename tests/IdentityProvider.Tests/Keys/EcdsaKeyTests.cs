using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Keys;

public sealed class EcdsaKeyTests : IDisposable
{
    private readonly OnePassHost _host = new(new OnePassHostOptions { Settings = { ["OnePass:Keys:Algorithm"] = "ES256" } });

    public void Dispose() => _host.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "IN-DS-03")]
    public async Task IdToken_WithEs256Configured_IsSignedWithEs256AndValidates()
    {
        var tokens = await SignInFlow.TaxTokensAsync(_host);

        var idToken = await Tokens.ValidateIdTokenAsync(_host.CreateProtocolClient(), _host.Issuer, tokens["id_token"]!, TestSeed.TaxClient);

        Assert.Equal("ES256", idToken.Alg);
        Assert.Contains(await SignInFlow.JwksKeysAsync(_host), key => key.GetProperty("kty").GetString() == "EC" && key.GetProperty("alg").GetString() == "ES256");
    }
}
