using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.IdentityProvider.Features.Site;
using OnePass.IdentityProvider.Infrastructure.Security;

namespace OnePass.IdentityProvider.Features.Account;

/// <summary>
/// The link from the reset e-mail: a new password, twice. On success every session of the citizen ends (with
/// single logout to the agencies), so whoever knew the old password is out, and an e-mail says the password changed.
/// </summary>
[EnableRateLimiting(SignInRateLimits.PolicyName)]
public sealed class ResetPasswordModel(
    UserManager<OnePassUser> users,
    SsoSessionStore sessions,
    AccountEmails emails,
    ILogger<ResetPasswordModel> logger) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "userId")]
    public string? UserId { get; set; }

    [BindProperty(SupportsGet = true, Name = "code")]
    public string? Code { get; set; }

    [BindProperty(Name = "password")]
    public string? Password { get; set; }

    [BindProperty(Name = "confirmPassword")]
    public string? ConfirmPassword { get; set; }

    [BindProperty(SupportsGet = true, Name = "done")]
    public bool Done { get; set; }

    public bool LinkInvalid { get; private set; }

    public Dictionary<string, List<string>> Errors { get; } = new(StringComparer.Ordinal);

    public IActionResult OnGet()
    {
        LinkInvalid = !Done && (string.IsNullOrEmpty(Code) || !Guid.TryParse(UserId, out _));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        Done = false;
        var user = Guid.TryParse(UserId, out var id) && !string.IsNullOrEmpty(Code) && Code.Length <= 2048
            ? await users.FindByIdAsync(id.ToString())
            : null;
        if (user is null)
        {
            LinkInvalid = true;
            return Form();
        }

        foreach (var (field, message) in PasswordErrors.NewPasswordFieldProblems(Password, ConfirmPassword))
        {
            Add(field, message);
        }

        if (Errors.Count > 0)
        {
            return Form();
        }

        // Identity checks the token (purpose, age, security stamp) before the password rules, and changes the
        // stamp on success: the link works once.
        var result = await users.ResetPasswordAsync(user, Code!, Password!);
        if (!result.Succeeded)
        {
            if (result.Errors.Any(error => error.Code == nameof(IdentityErrorDescriber.InvalidToken)))
            {
                LinkInvalid = true;
            }
            else
            {
                foreach (var message in PasswordErrors.Describe(result.Errors))
                {
                    Add("password", message);
                }
            }

            return Form();
        }

        var ended = await sessions.EndAllForUserAsync(user.Id, SessionEndReason.EndedByUser, cancellationToken: HttpContext.RequestAborted);
        logger.LogInformation("User {UserId} reset their password; {Count} sessions ended.", user.Id, ended);
        await emails.SendPasswordChangedAsync(HttpContext, user);
        return new SeeOtherResult(AccountLinks.ResetPasswordPath + "?done=true");
    }

    public string? Describe(string field) => Errors.ContainsKey(field) ? field + "-error" : null;

    public FieldErrors ErrorsFor(string field) => new(field, Errors.TryGetValue(field, out var messages) ? messages : []);

    private void Add(string field, string message)
    {
        if (!Errors.TryGetValue(field, out var messages))
        {
            Errors[field] = messages = [];
        }

        messages.Add(message);
    }

    private PageResult Form()
    {
        Password = null;
        ConfirmPassword = null;
        return Page();
    }
}
