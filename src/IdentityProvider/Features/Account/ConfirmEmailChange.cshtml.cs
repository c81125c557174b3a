using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Site;
using OnePass.IdentityProvider.Infrastructure.Security;

namespace OnePass.IdentityProvider.Features.Account;

/// <summary>
/// The link from the "confirm your new address" e-mail. Opening it shows a button; only the POST changes the
/// address (a mail scanner following links changes nothing). Identity checks the token (purpose bound to the new
/// address, one hour, security stamp) and changes the stamp, so the link works once. A username that was the old
/// address (self-registered accounts) becomes the new one, so the two stay the same.
/// </summary>
[EnableRateLimiting(SignInRateLimits.PolicyName)]
public sealed class ConfirmEmailChangeModel(
    UserManager<OnePassUser> users,
    SignInManager<OnePassUser> signIns,
    ILogger<ConfirmEmailChangeModel> logger) : PageModel
{
    public const string PagePath = "/account/email/confirm";

    [BindProperty(SupportsGet = true, Name = "userId")]
    public string? UserId { get; set; }

    [BindProperty(SupportsGet = true, Name = "email")]
    public string? Email { get; set; }

    [BindProperty(SupportsGet = true, Name = "code")]
    public string? Code { get; set; }

    public bool LinkInvalid { get; private set; }

    public bool Done { get; private set; }

    public IActionResult OnGet([FromQuery(Name = "done")] bool done)
    {
        Done = done;
        LinkInvalid = !Done && (string.IsNullOrEmpty(Code) || !Guid.TryParse(UserId, out _) || !AccountLinks.IsValidEmail(Email));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = Guid.TryParse(UserId, out var id) && !string.IsNullOrEmpty(Code) && Code.Length <= 2048 && AccountLinks.IsValidEmail(Email)
            ? await users.FindByIdAsync(id.ToString())
            : null;
        if (user is null || await ChangeEmailModel.TakenByAnotherAsync(users, user.Id, Email!, HttpContext.RequestAborted))
        {
            return Invalid();
        }

        // Self-registered accounts sign in with their address: the username follows it. Others keep theirs.
        var oldEmail = user.NormalizedEmail;
        var usernameFollows = oldEmail is not null && string.Equals(user.NormalizedUserName, oldEmail, StringComparison.Ordinal);
        var result = await users.ChangeEmailAsync(user, Email!, Code!);
        if (!result.Succeeded)
        {
            return Invalid();
        }

        if (usernameFollows)
        {
            var renamed = await users.SetUserNameAsync(user, Email);
            if (!renamed.Succeeded)
            {
                logger.LogWarning("User {UserId} changed their address but their username could not follow: {Codes}.",
                    user.Id, string.Join(", ", renamed.Errors.Select(error => error.Code)));
            }
        }

        logger.LogInformation("User {UserId} confirmed a new e-mail address.", user.Id);

        // The stamp changed: a browser signed in as this user keeps its session, with the new stamp in its ticket.
        if (SessionInfo.UserIdOf(User) == user.Id && SessionInfo.From(User) is { } session)
        {
            await SessionCookie.ReissueAsync(HttpContext, signIns, user, session);
        }

        return new SeeOtherResult(PagePath + "?done=true");
    }

    private PageResult Invalid()
    {
        LinkInvalid = true;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
