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
/// "Check your e-mail", the link from the verification e-mail, and "send it again". The link opens a page with
/// a button rather than confirming on GET, so that a mail scanner following links cannot confirm an address on
/// the holder's behalf. "Send it again" answers the same whether or not the address has an account waiting.
/// </summary>
[EnableRateLimiting(SignInRateLimits.PolicyName)]
public sealed class VerifyEmailModel(UserManager<OnePassUser> users, AccountEmails emails, ILogger<VerifyEmailModel> logger) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "userId")]
    public string? UserId { get; set; }

    [BindProperty(SupportsGet = true, Name = "code")]
    public string? Code { get; set; }

    [BindProperty(SupportsGet = true, Name = "ReturnUrl")]
    public string? ReturnUrl { get; set; }

    [BindProperty(Name = "email")]
    public string? Email { get; set; }

    [BindProperty(SupportsGet = true, Name = "resent")]
    public bool Resent { get; set; }

    public VerifyEmailState State { get; private set; } = VerifyEmailState.CheckEmail;

    public string? EmailError { get; private set; }

    public string SignInLink => AccountLinks.WithReturnUrl(SignInPaths.LoginPath, ReturnUrl);

    public IActionResult OnGet()
    {
        State = string.IsNullOrEmpty(Code) ? VerifyEmailState.CheckEmail : VerifyEmailState.Confirm;
        return Page();
    }

    public async Task<IActionResult> OnPostConfirmAsync()
    {
        var user = await FindAsync(UserId);
        if (user is null || string.IsNullOrEmpty(Code) || Code.Length > 2048)
        {
            State = VerifyEmailState.LinkInvalid;
            return Page();
        }

        var result = await users.ConfirmEmailAsync(user, Code);
        if (!result.Succeeded)
        {
            State = VerifyEmailState.LinkInvalid;
            return Page();
        }

        foreach (var claim in (await users.GetClaimsAsync(user)).Where(claim => claim.Type == AccountLinks.PendingClaimType))
        {
            await users.RemoveClaimAsync(user, claim);
        }

        logger.LogInformation("User {UserId} confirmed their e-mail address.", user.Id);
        State = VerifyEmailState.Confirmed;
        return Page();
    }

    public async Task<IActionResult> OnPostResendAsync()
    {
        var email = Email?.Trim();
        if (!AccountLinks.IsValidEmail(email))
        {
            EmailError = Texts.Get(string.IsNullOrEmpty(email) ? "register.email.required" : "register.email.invalid");
            State = VerifyEmailState.CheckEmail;
            return Page();
        }

        var normalized = users.NormalizeEmail(email);
        var pending = await users.Users.Where(user => user.NormalizedEmail == normalized && !user.EmailConfirmed).ToListAsync(HttpContext.RequestAborted);
        foreach (var user in pending)
        {
            if (AccountLinks.IsPending(await users.GetClaimsAsync(user)))
            {
                await emails.SendVerificationAsync(HttpContext, user, ReturnUrl);
            }
        }

        // The same answer whether an account is waiting or not.
        var query = new Dictionary<string, string?> { ["resent"] = "true", ["ReturnUrl"] = SignInPaths.IsSafe(ReturnUrl) ? ReturnUrl : null };
        return new SeeOtherResult(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(AccountLinks.VerifyEmailPath, query.Where(pair => pair.Value is not null)));
    }

    private async Task<OnePassUser?> FindAsync(string? userId) =>
        Guid.TryParse(userId, out var id) ? await users.FindByIdAsync(id.ToString()) : null;
}

public enum VerifyEmailState
{
    CheckEmail,
    Confirm,
    Confirmed,
    LinkInvalid,
}
