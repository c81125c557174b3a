using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.IdentityProvider.Features.Site;
using OnePass.IdentityProvider.Infrastructure.Security;

namespace OnePass.IdentityProvider.Features.Account;

/// <summary>
/// <c>/account/password</c> (issue 6 item 2): the current password, then a new one twice, with a sign-in from the
/// last five minutes. A wrong current password is a failed password sign-in (<see cref="PasswordSignIn"/>: audited,
/// counted towards the lockout). On success Identity changes the security stamp — every refresh token issued before
/// stops working (the token endpoint compares its digest, CATALOGUE AT-07) — every other session of the citizen
/// ends with single logout, this one continues, and an e-mail says the password changed.
/// </summary>
[Authorize(AuthenticationSchemes = SignInScheme)]
[EnableRateLimiting(SignInRateLimits.PolicyName)]
public sealed class ChangePasswordModel(
    UserManager<OnePassUser> users,
    SignInManager<OnePassUser> signIns,
    PasswordSignIn passwordSignIn,
    SsoSessionStore sessions,
    AccountEmails emails,
    TimeProvider time,
    ILogger<ChangePasswordModel> logger) : PageModel
{
    public const string PagePath = "/account/password";

    private const string SignInScheme = "Identity.Application";

    [BindProperty(Name = "currentPassword")]
    public string? CurrentPassword { get; set; }

    [BindProperty(Name = "password")]
    public string? Password { get; set; }

    [BindProperty(Name = "confirmPassword")]
    public string? ConfirmPassword { get; set; }

    public bool Done { get; private set; }

    /// <summary>False when the last sign-in is older than <see cref="SessionInfo.RecentAuthentication"/>: the page asks for a new one.</summary>
    public bool Fresh { get; private set; }

    public Dictionary<string, List<string>> Errors { get; } = new(StringComparer.Ordinal);

    public IActionResult OnGet([FromQuery(Name = "done")] bool done)
    {
        Done = done;
        Fresh = IsFresh();
        return Page();
    }

    /// <summary>Antiforgery is checked by Razor Pages before this runs (a POST without a valid token is a 400).</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        Fresh = IsFresh();
        if (SessionInfo.From(User) is not { } session || SessionInfo.UserIdOf(User) is not { } userId ||
            await users.FindByIdAsync(userId.ToString()) is not { UserName: not null } user)
        {
            return Forbid();
        }

        if (!Fresh)
        {
            return Form(StatusCodes.Status403Forbidden);
        }

        if (string.IsNullOrEmpty(CurrentPassword))
        {
            Add("currentPassword", Texts.Get("password.change.current.required"));
        }
        else if (CurrentPassword.Length > 2 * PasswordRules.MaximumLength)
        {
            Add("currentPassword", Texts.Get("password.change.current.wrong"));
        }

        foreach (var (field, message) in PasswordErrors.NewPasswordFieldProblems(Password, ConfirmPassword))
        {
            Add(field, message);
        }

        if (Errors.Count > 0)
        {
            return Form(StatusCodes.Status400BadRequest);
        }

        // The sign-in check: the same lockout and audit as the login page, so this form is no way around them.
        var (checkedResult, _) = await passwordSignIn.CheckAsync(user.UserName, CurrentPassword!);
        if (checkedResult != PasswordSignInResult.Succeeded)
        {
            Add("currentPassword", Texts.Get("password.change.current.wrong"));
            return Form(StatusCodes.Status400BadRequest);
        }

        // Verifies the current password again and runs the password policy; on success the security stamp changes.
        var result = await users.ChangePasswordAsync(user, CurrentPassword!, Password!);
        if (!result.Succeeded)
        {
            if (result.Errors.Any(error => error.Code == nameof(IdentityErrorDescriber.PasswordMismatch)))
            {
                Add("currentPassword", Texts.Get("password.change.current.wrong"));
            }
            else
            {
                foreach (var message in PasswordErrors.Describe(result.Errors))
                {
                    Add("password", message);
                }
            }

            return Form(StatusCodes.Status400BadRequest);
        }

        await SessionCookie.ReissueAsync(HttpContext, signIns, user, session);
        var ended = await sessions.EndAllForUserAsync(user.Id, SessionEndReason.EndedByUser, except: session.SessionId, CancellationToken.None);
        logger.LogInformation("User {UserId} changed their password; {Count} other sessions ended.", user.Id, ended);
        await emails.SendPasswordChangedHereAsync(HttpContext, user);
        return new SeeOtherResult(PagePath + "?done=true");
    }

    public string? Describe(string field) => Errors.ContainsKey(field) ? field + "-error" : null;

    public FieldErrors ErrorsFor(string field) => new(field, Errors.TryGetValue(field, out var messages) ? messages : []);

    private bool IsFresh() => SessionInfo.IsRecentSignIn(User, time.GetUtcNow());

    private void Add(string field, string message)
    {
        if (!Errors.TryGetValue(field, out var messages))
        {
            Errors[field] = messages = [];
        }

        messages.Add(message);
    }

    private PageResult Form(int status)
    {
        CurrentPassword = null;
        Password = null;
        ConfirmPassword = null;
        Response.StatusCode = status;
        return Page();
    }
}

/// <summary>The sign-in cookie of the current session, after a change of the citizen's security stamp.</summary>
public static class SessionCookie
{
    /// <summary>
    /// Re-issues the current session's ticket with the user's new security stamp, keeping the session facts
    /// (id, time of authentication, acr, amr): without it Identity's stamp check would sign this device out too.
    /// The cookie handler of this request has read the session's key, so the ticket store replaces the ticket
    /// under the same key (<see cref="SsoSessionStore.RenewAsync(string, AuthenticationTicket, HttpContext, CancellationToken)"/>
    /// accepts only the same session id).
    /// </summary>
    public static async Task ReissueAsync(HttpContext context, SignInManager<OnePassUser> signIns, OnePassUser user, SessionInfo session)
    {
        var principal = await signIns.CreateUserPrincipalAsync(user);
        ((ClaimsIdentity)principal.Identity!).AddClaims(session.ToClaims());
        await context.SignInAsync(IdentityConstants.ApplicationScheme, principal, new AuthenticationProperties { IsPersistent = false });
        context.User = principal;
    }
}
