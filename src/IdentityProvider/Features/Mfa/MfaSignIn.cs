using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Sessions;

namespace OnePass.IdentityProvider.Features.Mfa;

/// <summary>
/// Finishes a sign-in with the methods completed so far, at the level they are worth, and tells which
/// second factors a user has (what a step-up can offer).
/// </summary>
public sealed class MfaSignIn(OnePassDbContext db, UserManager<OnePassUser> users, SessionSignIn sessions)
{
    /// <summary>The user's enrolled second factors.</summary>
    public async Task<SecondFactors> FactorsAsync(Guid userId, CancellationToken cancellationToken = default) => new(
        HasTotp: await db.UserTotps.AnyAsync(totp => totp.UserId == userId && totp.ConfirmedAt != null, cancellationToken),
        HasPasskey: await db.Passkeys.AnyAsync(passkey => passkey.UserId == userId, cancellationToken));

    /// <summary>Signs the user in with <paramref name="methods"/> (e.g. pwd + otp); the level is what they are worth.</summary>
    public async Task<SessionInfo?> CompleteAsync(HttpContext context, Guid userId, IEnumerable<string> methods, bool userVerifiedPasskey = false)
    {
        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null)
        {
            return null;
        }

        var (acr, amr) = AssuranceLevels.Evaluate(methods, userVerifiedPasskey);
        return await sessions.SignInAsync(context, user, acr, amr);
    }
}

/// <summary>The second factors a user has enrolled, and the levels they can reach.</summary>
public sealed record SecondFactors(bool HasTotp, bool HasPasskey)
{
    public bool Any => HasTotp || HasPasskey;

    /// <summary>The highest level this user can reach: 3 with a passkey (with user verification), 2 with TOTP, else 1.</summary>
    public int MaxRank => HasPasskey ? 3 : HasTotp ? 2 : 1;
}
