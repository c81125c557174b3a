using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Site;
using OnePass.IdentityProvider.Infrastructure.Security;

namespace OnePass.IdentityProvider.Features.Mfa;

/// <summary>
/// Authenticator-app enrolment (CONTRACT §4): a fresh secret as an <c>otpauth://</c> QR code drawn here
/// and as Base32 text (<c>id="totp-secret"</c>), confirmed by a first valid <c>code</c>; then the ten
/// recovery codes, shown this once. The session keeps its level; the next sign-in asks for the code.
/// </summary>
[Authorize(AuthenticationSchemes = "Identity.Application")]
[EnableRateLimiting(SignInRateLimits.PolicyName)]
public sealed class TotpSetupModel(TotpAuthenticator totp, RecoveryCodes recoveryCodes, MfaSignIn mfa, AuthAudit audit) : PageModel
{
    [BindProperty(Name = "code")]
    public string? Code { get; set; }

    public string? Secret { get; private set; }

    public string? QrCode { get; private set; }

    public string? ErrorMessage { get; private set; }

    /// <summary>Set once the app is confirmed: the recovery codes to show.</summary>
    public IReadOnlyList<string>? NewRecoveryCodes { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (UserId() is not { } userId)
        {
            return Challenge();
        }

        if ((await mfa.FactorsAsync(userId, HttpContext.RequestAborted)).HasTotp)
        {
            return Redirect("/account/security");
        }

        Show(await totp.BeginEnrolmentAsync(userId, HttpContext.RequestAborted));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (UserId() is not { } userId)
        {
            return Challenge();
        }

        if (await totp.PendingEnrolmentSecretAsync(userId, HttpContext.RequestAborted) is not { } secret)
        {
            return new SeeOtherResult("/account/security");
        }

        var result = await totp.VerifyAsync(userId, Code?.Trim() ?? string.Empty, enrolment: true, HttpContext.RequestAborted);
        await audit.RecordAsync(HttpContext, userId, AuthenticationMethods.OneTimePassword,
            result == TotpResult.Accepted ? "enrolled" : "enrolment-failure");
        if (result != TotpResult.Accepted)
        {
            ErrorMessage = Texts.Get("totp.failed");
            Show(secret);
            return Page();
        }

        // Shown in this answer only: never stored in clear, never in a URL or a redirect.
        NewRecoveryCodes = await recoveryCodes.RegenerateAsync(userId, HttpContext.RequestAborted);
        return Page();
    }

    private void Show(byte[] secret)
    {
        Secret = TotpAuthenticator.Base32(secret);
        var account = User.Identity?.Name ?? "citizen";
        QrCode = TotpAuthenticator.QrCodeDataUri(TotpAuthenticator.OtpAuthUri(secret, account));
    }

    private Guid? UserId() => SessionInfo.UserIdOf(User);
}
