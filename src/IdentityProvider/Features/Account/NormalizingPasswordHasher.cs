using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Data;

namespace OnePass.IdentityProvider.Features.Account;

/// <summary>
/// Identity's PBKDF2 hasher over the NFKC form of the password (NIST SP 800-63B §5.1.1.2: normalise before
/// hashing), so "ﬁ" and "fi", or a Hangul syllable typed as one code point or as its jamo, are the same
/// password on every keyboard and operating system — the same form the password policy checked. A hash made
/// from the raw text (before this class) still verifies, and is then re-hashed in normalised form.
/// </summary>
public sealed class NormalizingPasswordHasher(IOptions<PasswordHasherOptions> options) : IPasswordHasher<OnePassUser>
{
    private readonly PasswordHasher<OnePassUser> _inner = new(options);

    public string HashPassword(OnePassUser user, string password) =>
        _inner.HashPassword(user, PasswordPolicy.Normalize(password));

    public PasswordVerificationResult VerifyHashedPassword(OnePassUser user, string hashedPassword, string providedPassword)
    {
        var normalized = PasswordPolicy.Normalize(providedPassword);
        var result = _inner.VerifyHashedPassword(user, hashedPassword, normalized);
        if (result != PasswordVerificationResult.Failed || normalized == providedPassword)
        {
            return result;
        }

        return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword) == PasswordVerificationResult.Failed
            ? PasswordVerificationResult.Failed
            : PasswordVerificationResult.SuccessRehashNeeded;
    }
}
