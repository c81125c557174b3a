using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Site;

namespace OnePass.IdentityProvider.Features.Account;

/// <summary>
/// <c>/account/profile</c> (issue 6 item 3): the citizen's name, username and e-mail address (confirmed or not),
/// a form to change the name (the rules of registration), and links to change the password and the address.
/// The account shown and changed is always the signed-in one: nothing in the request names a user.
/// </summary>
[Authorize(AuthenticationSchemes = SignInScheme)]
public sealed class ProfileModel(UserManager<OnePassUser> users, ILogger<ProfileModel> logger) : PageModel
{
    public const string PagePath = "/account/profile";

    // IdentityConstants.ApplicationScheme (not a constant): not signed in, the cookie handler redirects to the login page.
    private const string SignInScheme = "Identity.Application";

    [BindProperty(Name = "name")]
    public string? Name { get; set; }

    public string? UserName { get; private set; }

    public string? Email { get; private set; }

    public bool EmailConfirmed { get; private set; }

    /// <summary>True after a successful save (the 303 lands on <c>?done=saved</c>).</summary>
    public bool Saved { get; private set; }

    public string? NameError { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery(Name = "done")] string? done)
    {
        if (await CurrentUserAsync() is not { } user)
        {
            return Forbid();
        }

        Show(user);
        Name = user.DisplayName;
        Saved = done == "saved";
        return Page();
    }

    /// <summary>Saves the display name. Antiforgery is checked by Razor Pages before this runs (400 without a token).</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        if (await CurrentUserAsync() is not { } user)
        {
            return Forbid();
        }

        var name = Name?.Trim();
        if (!AccountLinks.IsValidName(name))
        {
            Show(user);
            NameError = Texts.Get(string.IsNullOrWhiteSpace(name) ? "register.name.required" : "register.name.invalid");
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        user.DisplayName = name;
        var result = await users.UpdateAsync(user);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("The display name could not be saved: " + string.Join(", ", result.Errors.Select(error => error.Code)));
        }

        logger.LogInformation("User {UserId} changed their display name.", user.Id);
        return new SeeOtherResult(PagePath + "?done=saved");
    }

    private async Task<OnePassUser?> CurrentUserAsync() =>
        SessionInfo.UserIdOf(User) is { } userId ? await users.FindByIdAsync(userId.ToString()) : null;

    private void Show(OnePassUser user)
    {
        UserName = user.UserName;
        Email = user.Email;
        EmailConfirmed = user.EmailConfirmed;
    }
}
