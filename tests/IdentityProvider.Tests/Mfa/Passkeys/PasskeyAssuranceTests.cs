using OnePass.IdentityProvider.Features.Authorization;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Mfa.Passkeys;

/// <summary>What a passkey is worth (CONTRACT §5): loa:3 only with user verification, never more than happened.</summary>
public sealed class PasskeyAssuranceTests
{
    [Theory]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    [InlineData("hwk")]
    [InlineData("swk")]
    public void Evaluate_PasskeyWithUserVerification_Loa3WithUserAndMfa(string key)
    {
        var (acr, amr) = AssuranceLevels.Evaluate([key], userVerifiedPasskey: true);

        Assert.Equal(AssuranceLevels.PhishingResistant, acr);
        Assert.Equal([key, "user", "mfa"], amr);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    public void Evaluate_LonePasskeyWithoutUserVerification_SingleFactorLoa1()
    {
        var (acr, amr) = AssuranceLevels.Evaluate(["hwk"], userVerifiedPasskey: false);

        Assert.Equal(AssuranceLevels.Password, acr);
        Assert.Equal(["hwk"], amr);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    public void Evaluate_PasswordAndPasskeyWithoutUserVerification_Loa2NeverLoa3()
    {
        var (acr, amr) = AssuranceLevels.Evaluate(["pwd", "hwk"], userVerifiedPasskey: false);

        Assert.Equal(AssuranceLevels.TwoFactors, acr);
        Assert.Equal(["pwd", "hwk", "mfa"], amr);
    }
}
