using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using OnePass.IdentityProvider.Features.Site;
using OnePass.IdentityProvider.Infrastructure.Security;

namespace OnePass.IdentityProvider.Features.Account;

/// <summary>The password step (CONTRACT §4): one form, the same answer for every failure, 303 after POST.</summary>
[EnableRateLimiting(SignInRateLimits.PolicyName)]
public sealed class LoginModel(PasswordSignIn passwordSignIn) : PageModel
{
    public const int MaxPasswordLength = 1024;

    [BindProperty]
    public LoginInputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true, Name = "ReturnUrl")]
    public string? ReturnUrl { get; set; }

    [BindProperty(SupportsGet = true, Name = "login_hint")]
    public string? LoginHint { get; set; }

    public string? ErrorMessage { get; private set; }

    public void OnGet()
    {
        if (!string.IsNullOrEmpty(LoginHint) && LoginHint.Length <= LoginInputModel.MaxUsernameLength)
        {
            Input.Username = LoginHint;
        }
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            ErrorMessage = Texts.Get("login.failed");
            return Page();
        }

        var result = await passwordSignIn.SignInAsync(Input.Username!, Input.Password!);
        if (result != PasswordSignInResult.Succeeded)
        {
            ErrorMessage = Texts.Get("login.failed");
            Input.Password = null;
            return Page();
        }

        // 303: the browser follows with a GET, never re-posting the password (RFC 9700 §4.12).
        return new SeeOtherResult(SignInPaths.SafeReturnUrl(ReturnUrl));
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
