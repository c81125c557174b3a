using System.Security.Claims;
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
/// Registration (issue 6): e-mail address (also the username), name, password twice. The answer never says
/// whether the address is taken (CATALOGUE AT-22): a new address and a taken one both end in the same 303 to
/// "check your e-mail"; only the e-mail itself differs (a verification link, or a notice to the owner).
/// </summary>
[EnableRateLimiting(SignInRateLimits.PolicyName)]
public sealed class RegisterModel(UserManager<OnePassUser> users, AccountEmails emails, ILogger<RegisterModel> logger) : PageModel
{
    [BindProperty(Name = "email")]
    public string? Email { get; set; }

    [BindProperty(Name = "name")]
    public string? Name { get; set; }

    [BindProperty(Name = "password")]
    public string? Password { get; set; }

    [BindProperty(Name = "confirmPassword")]
    public string? ConfirmPassword { get; set; }

    [BindProperty(SupportsGet = true, Name = "ReturnUrl")]
    public string? ReturnUrl { get; set; }

    /// <summary>Messages per field (<c>email</c>, <c>name</c>, <c>password</c>, <c>confirmPassword</c>), shown under it.</summary>
    public Dictionary<string, List<string>> Errors { get; } = new(StringComparer.Ordinal);

    public IActionResult OnGet() => Page();

    public async Task<IActionResult> OnPostAsync()
    {
        // 1. Input rules that depend on the input only.
        var email = Email?.Trim();
        var name = Name?.Trim();
        if (!AccountLinks.IsValidEmail(email))
        {
            Add("email", Texts.Get(string.IsNullOrEmpty(email) ? "register.email.required" : "register.email.invalid"));
        }

        if (!AccountLinks.IsValidName(name))
        {
            Add("name", Texts.Get(string.IsNullOrWhiteSpace(name) ? "register.name.required" : "register.name.invalid"));
        }

        foreach (var (field, message) in PasswordErrors.NewPasswordFieldProblems(Password, ConfirmPassword))
        {
            Add(field, message);
        }

        if (Errors.Count > 0)
        {
            return Form();
        }

        // 2. The password rules (NIST SP 800-63B, Identity's validators), judged before anything is looked up so
        //    that a taken address gets the same messages as a free one.
        var candidate = new OnePassUser { UserName = email, Email = email, DisplayName = name, LockoutEnabled = true };
        foreach (var message in await PasswordErrors.ValidateAsync(users, candidate, Password!))
        {
            Add("password", message);
        }

        if (Errors.Count > 0)
        {
            return Form();
        }

        // 3. Create the account, or tell the owner of the address; the page is the same either way.
        var existing = await FindByAddressAsync(email!);
        if (existing is null)
        {
            var created = await users.CreateAsync(candidate, Password!);
            if (created.Succeeded)
            {
                await users.AddClaimAsync(candidate, new Claim(AccountLinks.PendingClaimType, AccountLinks.PendingClaimValue));
                logger.LogInformation("User {UserId} registered; address not yet confirmed.", candidate.Id);
                await emails.SendVerificationAsync(HttpContext, candidate, ReturnUrl);
            }
            else
            {
                // Only a concurrent registration of the same address gets here: its owner is told, as below.
                logger.LogInformation("Registration refused by Identity: {Codes}.", string.Join(", ", created.Errors.Select(error => error.Code)));
                await emails.SendAlreadyRegisteredAsync(HttpContext, email!);
            }
        }
        else if (!existing.EmailConfirmed && AccountLinks.IsPending(await users.GetClaimsAsync(existing)))
        {
            // Nobody has proved they hold this address yet: the newest registration replaces the pending one,
            // and the new stamp voids every earlier verification link.
            existing.DisplayName = name;
            existing.PasswordHash = users.PasswordHasher.HashPassword(existing, Password!);
            await users.UpdateSecurityStampAsync(existing);
            logger.LogInformation("Pending registration {UserId} replaced by a new one.", existing.Id);
            await emails.SendVerificationAsync(HttpContext, existing, ReturnUrl);
        }
        else
        {
            // Same work as creating an account (one password hash), so the answer takes as long.
            _ = users.PasswordHasher.HashPassword(candidate, Password!);
            logger.LogInformation("Registration attempted for the address of user {UserId}.", existing.Id);
            await emails.SendAlreadyRegisteredAsync(HttpContext, existing.Email ?? email!);
        }

        return new SeeOtherResult(AccountLinks.WithReturnUrl(AccountLinks.VerifyEmailPath, ReturnUrl));
    }

    public string? Describe(string field) => Errors.ContainsKey(field) ? field + "-error" : null;

    public FieldErrors ErrorsFor(string field) => new(field, Errors.TryGetValue(field, out var messages) ? messages : []);

    private async Task<OnePassUser?> FindByAddressAsync(string email)
    {
        // The address is taken when it is an account's username or its e-mail address: two accounts sharing an
        // address would make sign-in by e-mail ambiguous (PasswordSignIn).
        var normalizedName = users.NormalizeName(email);
        var normalizedEmail = users.NormalizeEmail(email);
        return await users.Users
            .Where(user => user.NormalizedUserName == normalizedName || user.NormalizedEmail == normalizedEmail)
            .OrderByDescending(user => user.NormalizedUserName == normalizedName)
            .FirstOrDefaultAsync(HttpContext.RequestAborted);
    }

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
