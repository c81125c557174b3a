using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Account;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Account;

/// <summary>Passwords are hashed in NFKC form (NIST SP 800-63B §5.1.1.2), so the same password typed on another keyboard still matches.</summary>
public sealed class NormalizingPasswordHasherTests
{
    // "한강 다리 위의 노을" with every syllable composed, and the same typed as conjoining jamo (NFD).
    private const string Composed = "\uD55C\uAC15 \uB2E4\uB9AC \uC704\uC758 \uB178\uC744 2026";
    private static readonly string Decomposed = Composed.Normalize(System.Text.NormalizationForm.FormD);

    private readonly NormalizingPasswordHasher _hasher = new(Options.Create(new PasswordHasherOptions()));
    private readonly OnePassUser _user = new() { Id = Guid.NewGuid(), UserName = "hangul" };

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public void Verify_TheSamePasswordInAnotherNormalForm_Succeeds()
    {
        var hash = _hasher.HashPassword(_user, Composed);

        Assert.NotEqual(Composed, Decomposed);
        Assert.Equal(PasswordVerificationResult.Success, _hasher.VerifyHashedPassword(_user, hash, Decomposed));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public void Verify_CompatibilityCharacters_MatchTheirPlainForm()
    {
        var hash = _hasher.HashPassword(_user, "ﬁne ﬁsh in the ２０２６ river");

        Assert.Equal(PasswordVerificationResult.Success, _hasher.VerifyHashedPassword(_user, hash, "fine fish in the 2026 river"));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public void Verify_APasswordDifferingByOneEmoji_Fails()
    {
        var hash = _hasher.HashPassword(_user, "correct horse battery staple 🐴");

        Assert.Equal(PasswordVerificationResult.Failed, _hasher.VerifyHashedPassword(_user, hash, "correct horse battery staple 🐎"));
    }

    [Fact]
    public void Verify_AHashOfTheRawTextMadeBeforeNormalising_SucceedsAndAsksForARehash()
    {
        var legacy = new PasswordHasher<OnePassUser>().HashPassword(_user, Decomposed);

        Assert.Equal(PasswordVerificationResult.SuccessRehashNeeded, _hasher.VerifyHashedPassword(_user, legacy, Decomposed));
    }

    [Fact]
    public void Verify_AWrongPasswordAgainstARawHash_Fails()
    {
        var legacy = new PasswordHasher<OnePassUser>().HashPassword(_user, Decomposed);

        Assert.Equal(PasswordVerificationResult.Failed, _hasher.VerifyHashedPassword(_user, legacy, "another password entirely"));
    }
}
