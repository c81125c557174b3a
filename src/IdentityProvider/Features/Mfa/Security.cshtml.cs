using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Site;

namespace OnePass.IdentityProvider.Features.Mfa;

/// <summary>
/// <c>/account/security</c> (CONTRACT §4): the citizen's sign-in methods — password, authenticator app
/// (<c>id="totp-setup"</c> to set one up), recovery codes left, passkeys. Removing a factor needs a sign-in
/// from the last five minutes, so a borrowed, still-open browser cannot weaken the account.
/// </summary>
[Authorize(AuthenticationSchemes = "Identity.Application")]
public sealed class SecurityModel(MfaSignIn mfa, RecoveryCodes recoveryCodes, TotpAuthenticator totp, AuthAudit audit, TimeProvider time) : PageModel
{
    public SecondFactors Factors { get; private set; } = new(false, false);

    public int RecoveryCodesLeft { get; private set; }

    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (UserId() is not { } userId)
        {
            return Challenge();
        }

        await LoadAsync(userId);
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveTotpAsync()
    {
        if (UserId() is not { } userId)
        {
            return Challenge();
        }

        if (!IsFresh())
        {
            Message = Texts.Get("security.fresh");
            await LoadAsync(userId);
            return Page();
        }

        await totp.RemoveAsync(userId, HttpContext.RequestAborted);
        await recoveryCodes.RemoveAllAsync(userId, HttpContext.RequestAborted);
        await audit.RecordAsync(HttpContext, userId, AuthenticationMethods.OneTimePassword, "removed");
        return new Site.SeeOtherResult("/account/security");
    }

    /// <summary>The session's last authentication is recent enough for a change to the sign-in methods.</summary>
    public bool IsFresh() => SessionInfo.IsRecentSignIn(User, time.GetUtcNow());

    private Guid? UserId() => SessionInfo.UserIdOf(User);

    private async Task LoadAsync(Guid userId)
    {
        Factors = await mfa.FactorsAsync(userId, HttpContext.RequestAborted);
        RecoveryCodesLeft = await recoveryCodes.RemainingAsync(userId, HttpContext.RequestAborted);
    }
}
