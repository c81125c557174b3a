using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using OnePass.IdentityProvider.Features.Account;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Site;
using OnePass.IdentityProvider.Infrastructure.Security;

namespace OnePass.IdentityProvider.Features.Mfa;

/// <summary>
/// The second sign-in step (CONTRACT §4): a form with <c>code</c> — from the authenticator app, or a
/// recovery code — and, for users with passkeys, a passkey button. Used after the password and to
/// step an existing session up (only the missing factor is asked). A wrong code answers the same form
/// with a message; five wrong answers end this sign-in attempt.
/// </summary>
[EnableRateLimiting(SignInRateLimits.PolicyName)]
public sealed class VerifyModel(
    PendingSignIns pendingSignIns,
    MfaSignIn mfa,
    TotpAuthenticator totp,
    RecoveryCodes recoveryCodes,
    AuthAudit audit) : PageModel
{
    public const string Path = "/account/login/verify";
    public const int MaxCodeLength = 32;

    [BindProperty(Name = "code")]
    public string? Code { get; set; }

    public string? ErrorMessage { get; private set; }

    public bool ShowCode { get; private set; }

    public bool ShowPasskey { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await pendingSignIns.CurrentAsync(HttpContext) is not { } pending)
        {
            return Redirect(SignInPaths.LoginPath);
        }

        await DescribeAsync(pending);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await pendingSignIns.CurrentAsync(HttpContext) is not { } pending)
        {
            return new SeeOtherResult(SignInPaths.LoginPath);
        }

        var code = Code?.Trim() ?? string.Empty;
        var (accepted, method, outcome) = await CheckAsync(pending, code);
        await audit.RecordAsync(HttpContext, pending.UserId, method, outcome, AuthAudit.AgencyOf(pending.ReturnUrl));
        if (accepted)
        {
            // Single use: whoever takes the pending sign-in first finishes it.
            if (await pendingSignIns.FinishAsync(HttpContext) is not { } finished)
            {
                return new SeeOtherResult(SignInPaths.LoginPath);
            }

            await mfa.CompleteAsync(HttpContext, finished.UserId, [.. finished.MethodsDone, AuthenticationMethods.OneTimePassword]);
            return new SeeOtherResult(SignInPaths.SafeReturnUrl(finished.ReturnUrl));
        }

        if (!await pendingSignIns.RecordFailureAsync(HttpContext, pending))
        {
            // Too many wrong answers: this sign-in is over; start again from the password.
            return new SeeOtherResult(SignInPaths.Login(SignInPaths.SafeReturnUrl(pending.ReturnUrl), null, null));
        }

        ErrorMessage = Texts.Get(outcome == "locked" ? "verify.locked" : "verify.failed");
        Code = null;
        await DescribeAsync(pending);
        return Page();
    }

    private async Task<(bool Accepted, string Method, string Outcome)> CheckAsync(PendingSignIn pending, string code)
    {
        if (pending.RequiredRank > 2)
        {
            return (false, AuthenticationMethods.OneTimePassword, "insufficient"); // only a passkey reaches loa:3
        }

        if (code.Length <= MaxCodeLength && RecoveryCodes.Normalize(code) is not null)
        {
            return await recoveryCodes.RedeemAsync(pending.UserId, code, HttpContext.RequestAborted)
                ? (true, "recovery", AuthAudit.Success)
                : (false, "recovery", AuthAudit.Failure);
        }

        if (!TotpAuthenticator.IsWellFormed(code))
        {
            // Empty, letters, 5 or 7 digits: the same answer, counted as a failed code (CATALOGUE IN-LG-06).
            await totp.RecordFailureAsync(pending.UserId, HttpContext.RequestAborted);
            return (false, AuthenticationMethods.OneTimePassword, AuthAudit.Failure);
        }

        return await totp.VerifyAsync(pending.UserId, code, cancellationToken: HttpContext.RequestAborted) switch
        {
            TotpResult.Accepted => (true, AuthenticationMethods.OneTimePassword, AuthAudit.Success),
            TotpResult.Replayed => (false, AuthenticationMethods.OneTimePassword, "replay"),
            TotpResult.Locked => (false, AuthenticationMethods.OneTimePassword, "locked"),
            _ => (false, AuthenticationMethods.OneTimePassword, AuthAudit.Failure),
        };
    }

    private async Task DescribeAsync(PendingSignIn pending)
    {
        var factors = await mfa.FactorsAsync(pending.UserId, HttpContext.RequestAborted);
        ShowCode = factors.HasTotp && pending.RequiredRank <= 2;
        ShowPasskey = factors.HasPasskey;
    }
}
