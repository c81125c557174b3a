using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Site;
using OnePass.IdentityProvider.Infrastructure.Security;

namespace OnePass.IdentityProvider.Features.Account;

/// <summary>
/// <c>/account/email</c> (issue 6 item 2): a new e-mail address, with a sign-in from the last five minutes. Nothing
/// changes here: a link valid one hour goes to the new address (confirmed on <see cref="ConfirmEmailChangeModel"/>)
/// and a notice to the current one. When the new address already belongs to another account the page answers the
/// same (CATALOGUE AT-22); only the e-mail to that address differs, and it says so.
/// </summary>
[Authorize(AuthenticationSchemes = SignInScheme)]
[EnableRateLimiting(SignInRateLimits.PolicyName)]
public sealed class ChangeEmailModel(
    UserManager<OnePassUser> users,
    AccountEmails emails,
    TimeProvider time,
    ILogger<ChangeEmailModel> logger) : PageModel
{
    public const string PagePath = "/account/email";

    private const string SignInScheme = "Identity.Application";

    [BindProperty(Name = "email")]
    public string? NewEmail { get; set; }

    public string? CurrentEmail { get; private set; }

    public bool Sent { get; private set; }

    public bool Fresh { get; private set; }

    public string? EmailError { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery(Name = "sent")] bool sent)
    {
        if (await CurrentUserAsync() is not { } user)
        {
            return Forbid();
        }

        CurrentEmail = user.Email;
        Sent = sent;
        Fresh = IsFresh();
        return Page();
    }

    /// <summary>Antiforgery is checked by Razor Pages before this runs (a POST without a valid token is a 400).</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        if (await CurrentUserAsync() is not { } user)
        {
            return Forbid();
        }

        CurrentEmail = user.Email;
        Fresh = IsFresh();
        if (!Fresh)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }

        var email = NewEmail?.Trim();
        if (!AccountLinks.IsValidEmail(email))
        {
            return Refuse(Texts.Get(string.IsNullOrEmpty(email) ? "register.email.required" : "register.email.invalid"));
        }

        if (string.Equals(users.NormalizeEmail(email), user.NormalizedEmail, StringComparison.Ordinal))
        {
            return Refuse(Texts.Get("email.change.same"));
        }

        if (await TakenByAnotherAsync(users, user.Id, email!, HttpContext.RequestAborted))
        {
            // Same work and the same answer as a free address; the holder of the address is told.
            _ = await users.GenerateChangeEmailTokenAsync(user, email!);
            logger.LogInformation("User {UserId} asked to move to an address another account has.", user.Id);
            await emails.SendEmailChangeTakenAsync(HttpContext, email!);
        }
        else
        {
            logger.LogInformation("User {UserId} asked to change their e-mail address; link sent to the new address.", user.Id);
            await emails.SendEmailChangeConfirmationAsync(HttpContext, user, email!);
        }

        if (user.Email is not null)
        {
            await emails.SendEmailChangeNoticeAsync(HttpContext, user.Email, email!);
        }

        return new SeeOtherResult(PagePath + "?sent=true");
    }

    /// <summary>
    /// True when the address is another account's username or e-mail address (as registration sees it: two accounts
    /// sharing an address would make sign-in by e-mail ambiguous).
    /// </summary>
    public static Task<bool> TakenByAnotherAsync(UserManager<OnePassUser> users, Guid userId, string email, CancellationToken cancellationToken)
    {
        var normalizedName = users.NormalizeName(email);
        var normalizedEmail = users.NormalizeEmail(email);
        return users.Users.AnyAsync(
            other => other.Id != userId && (other.NormalizedUserName == normalizedName || other.NormalizedEmail == normalizedEmail), cancellationToken);
    }

    private PageResult Refuse(string message)
    {
        EmailError = message;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    private bool IsFresh() => SessionInfo.IsRecentSignIn(User, time.GetUtcNow());

    private async Task<OnePassUser?> CurrentUserAsync() =>
        SessionInfo.UserIdOf(User) is { } userId ? await users.FindByIdAsync(userId.ToString()) : null;
}
