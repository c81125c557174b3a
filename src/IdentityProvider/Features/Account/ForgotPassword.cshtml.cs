using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Site;
using OnePass.IdentityProvider.Infrastructure.Security;

namespace OnePass.IdentityProvider.Features.Account;

/// <summary>
/// "Forgot password": the answer is always "if an account uses this address, we sent an e-mail" (CATALOGUE
/// AT-22). The e-mail holds a reset link valid for one hour and usable once (the reset changes the security
/// stamp the token is bound to). An account still waiting for its address to be confirmed gets the
/// verification e-mail instead.
/// </summary>
[EnableRateLimiting(SignInRateLimits.PolicyName)]
public sealed class ForgotPasswordModel(UserManager<OnePassUser> users, AccountEmails emails, ILogger<ForgotPasswordModel> logger) : PageModel
{
    [BindProperty(Name = "email")]
    public string? Email { get; set; }

    [BindProperty(SupportsGet = true, Name = "sent")]
    public bool Sent { get; set; }

    public string? EmailError { get; private set; }

    public IActionResult OnGet() => Page();

    public async Task<IActionResult> OnPostAsync()
    {
        var email = Email?.Trim();
        if (!AccountLinks.IsValidEmail(email))
        {
            EmailError = Texts.Get(string.IsNullOrEmpty(email) ? "register.email.required" : "register.email.invalid");
            return Page();
        }

        var normalized = users.NormalizeEmail(email);
        var matches = await users.Users.Where(user => user.NormalizedEmail == normalized).Take(2).ToListAsync(HttpContext.RequestAborted);

        // Only an address that names exactly one account (as sign-in by e-mail requires) gets a link.
        if (matches is [var user])
        {
            if (!user.EmailConfirmed && AccountLinks.IsPending(await users.GetClaimsAsync(user)))
            {
                await emails.SendVerificationAsync(HttpContext, user, null);
            }
            else if (user.EmailConfirmed)
            {
                // Only a confirmed address may take over an account (an unconfirmed one could be a typing mistake).
                await emails.SendPasswordResetAsync(HttpContext, user);
            }

            logger.LogInformation("Password reset asked for user {UserId}.", user.Id);
        }

        return new SeeOtherResult(AccountLinks.ForgotPasswordPath + "?sent=true");
    }
}
