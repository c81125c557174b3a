using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.IdentityProvider.Features.Site;
using OnePass.IdentityProvider.Infrastructure.Security;

namespace OnePass.IdentityProvider.Features.Account;

/// <summary>The password step (CONTRACT §4): one form, the same answer for every failure, 303 after POST.</summary>
[EnableRateLimiting(SignInRateLimits.PolicyName)]
public sealed class LoginModel(PasswordSignIn passwordSignIn, MfaSignIn mfa, PendingSignIns pending) : PageModel
{
    public const int MaxPasswordLength = 1024;

    [BindProperty]
    public LoginInputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true, Name = "ReturnUrl")]
    public string? ReturnUrl { get; set; }

    [BindProperty(SupportsGet = true, Name = "login_hint")]
    public string? LoginHint { get; set; }

    public string? ErrorMessage { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        // A sign-in waiting for its second step continues there (CATALOGUE AT-17), not from the start.
        if (await pending.CurrentAsync(HttpContext) is not null)
        {
            return Redirect(VerifyModel.Path);
        }

        if (!string.IsNullOrEmpty(LoginHint) && LoginHint.Length <= LoginInputModel.MaxUsernameLength)
        {
            Input.Username = LoginHint;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            ErrorMessage = Texts.Get("login.failed");
            return Page();
        }

        var (result, user) = await passwordSignIn.CheckAsync(Input.Username!, Input.Password!);
        if (result != PasswordSignInResult.Succeeded || user is null)
        {
            ErrorMessage = Texts.Get("login.failed");
            Input.Password = null;
            return Page();
        }

        // 303: the browser follows with a GET, never re-posting the password (RFC 9700 §4.12).
        var returnUrl = SignInPaths.SafeReturnUrl(ReturnUrl);
        if ((await mfa.FactorsAsync(user.Id, HttpContext.RequestAborted)).Any)
        {
            // A user with a second factor is always asked for it (CONTRACT §4): nothing is signed in yet.
            await pending.StartAsync(HttpContext, new PendingSignIn(user.Id, [AuthenticationMethods.Password], RequiredRank: 2, returnUrl));
            return new SeeOtherResult(VerifyModel.Path);
        }

        await mfa.CompleteAsync(HttpContext, user.Id, [AuthenticationMethods.Password]);
        return new SeeOtherResult(returnUrl);
    }
}

public sealed class LoginInputModel
{
    public const int MaxUsernameLength = 256;

    [Required]
    [StringLength(MaxUsernameLength)]
    public string? Username { get; set; }

    [Required]
    [StringLength(LoginModel.MaxPasswordLength)]
    [DataType(DataType.Password)]
    public string? Password { get; set; }
}
