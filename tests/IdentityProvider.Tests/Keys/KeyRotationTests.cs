using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OnePass.IdentityProvider.Infrastructure.Keys;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Keys;

/// <summary>
/// Rotation publishes the next key before it signs and keeps the previous one in JWKS while what it
/// signed may live (CATALOGUE FT-13); revocation removes a key at once (FT-14).
/// </summary>
public sealed class KeyRotationTests : IDisposable
{
    private static readonly TimeSpan PublishLead = new Infrastructure.KeyOptions().PublishLead;

    // The clock starts one publish lead in the past, so that after the lead has passed it is "now"
    // again and the tokens issued then validate with the real clock.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow - PublishLead - TimeSpan.FromMinutes(1));
    private readonly OnePassHost _host;

    public KeyRotationTests() => _host = new OnePassHost(new OnePassHostOptions
    {
        ConfigureServices = services => services.AddSingleton<TimeProvider>(_time),
    });

    public void Dispose() => _host.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "FT-13")]
    public async Task Rotate_BeforeActivation_PublishesBothKeysAndStillSignsWithTheOld()
    {
        var oldKid = await SigningKidAsync();

        var next = await RotateAsync(immediately: false);
        var kids = await SignInFlow.JwksKeyIdsAsync(_host);
        var tokens = await SignInFlow.TaxTokensAsync(_host);

        Assert.Contains(oldKid, kids);
        Assert.Contains(next, kids);
        Assert.Equal(oldKid, Tokens.Read(tokens["id_token"]!).Kid);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-13")]
    public async Task Rotate_AfterActivation_SignsWithTheNewKeyAndKeepsTheOldInJwks()
    {
        var oldKid = await SigningKidAsync();
        var next = await RotateAsync(immediately: false);

        _time.Advance(PublishLead + TimeSpan.FromMinutes(1));
        await ReloadAsync();
        var tokens = await SignInFlow.TaxTokensAsync(_host);
        var idToken = await Tokens.ValidateIdTokenAsync(_host.CreateProtocolClient(), _host.Issuer, tokens["id_token"]!, TestSeed.TaxClient);

        Assert.Equal(next, idToken.Kid);
        Assert.Contains(oldKid, await SignInFlow.JwksKeyIdsAsync(_host));
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-13")]
    public async Task IdToken_SignedBeforeRotation_StillValidatesAfterActivation()
    {
        _time.Advance(PublishLead + TimeSpan.FromMinutes(1)); // issue at real "now", so the token is alive
        var before = await SignInFlow.TaxTokensAsync(_host);

        await RotateAsync(immediately: true);
        var idToken = await Tokens.ValidateIdTokenAsync(_host.CreateProtocolClient(), _host.Issuer, before["id_token"]!, TestSeed.TaxClient);

        Assert.False(string.IsNullOrEmpty(idToken.Subject));
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-14")]
    public async Task Revoke_AfterImmediateRotation_RemovesTheKeyFromJwksAndTheNewKeySigns()
    {
        _time.Advance(PublishLead + TimeSpan.FromMinutes(1));
        var oldKid = await SigningKidAsync();
        var next = await RotateAsync(immediately: true);

        var revoked = false;
        await _host.WithServicesAsync(async services => revoked = await services.GetRequiredService<KeyStore>().RevokeAsync(oldKid));
        await ReloadAsync();
        var tokens = await SignInFlow.TaxTokensAsync(_host);

        Assert.True(revoked);
        Assert.DoesNotContain(oldKid, await SignInFlow.JwksKeyIdsAsync(_host));
        Assert.Equal(next, Tokens.Read(tokens["id_token"]!).Kid);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-14")]
    public async Task Revoke_OfTheOnlySigningKey_RemovesItAndANewKeySigns()
    {
        _time.Advance(PublishLead + TimeSpan.FromMinutes(1));
        var oldKid = await SigningKidAsync();

        await _host.WithServicesAsync(async services => await services.GetRequiredService<KeyStore>().RevokeAsync(oldKid));
        await ReloadAsync();
        var tokens = await SignInFlow.TaxTokensAsync(_host);
        var idToken = await Tokens.ValidateIdTokenAsync(_host.CreateProtocolClient(), _host.Issuer, tokens["id_token"]!, TestSeed.TaxClient);

        Assert.NotEqual(oldKid, idToken.Kid);
        Assert.DoesNotContain(oldKid, await SignInFlow.JwksKeyIdsAsync(_host));
    }

    private async Task<string> SigningKidAsync()
    {
        var keys = await SignInFlow.JwksKeysAsync(_host);
        return Assert.Single(keys, key => key.GetProperty("use").GetString() == "sig").GetProperty("kid").GetString()!;
    }

    private async Task<string> RotateAsync(bool immediately)
    {
        string? kid = null;
        await _host.WithServicesAsync(async services =>
        {
            var store = services.GetRequiredService<KeyStore>();
            kid = (await store.RotateAsync(algorithm: null, immediately)).KeyId;
            await store.LoadAsync();
        });
        return kid!;
    }

    private Task ReloadAsync() => _host.WithServicesAsync(services => services.GetRequiredService<KeyStore>().LoadAsync());
}
