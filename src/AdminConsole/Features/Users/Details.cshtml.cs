using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.AdminConsole.Infrastructure.AdminApi;
using OnePass.AdminConsole.Infrastructure.Web;

namespace OnePass.AdminConsole.Features.Users;

/// <summary>
/// /users/details/{id}: one user — profile, status, sign-in methods, passkeys, live sessions, consents and the
/// latest sign-in events — with the actions an administrator may take. Enable and unlock give access back and
/// are posted from here; every action that takes something away (disable, reset MFA, delete, end sessions)
/// goes through <see cref="UserConfirmModel"/> first.
/// </summary>
public sealed class UserDetailsModel(AdminApiClient api) : PageModel
{
    public UserDetail Detail { get; private set; } = null!;

    /// <summary>The version the administrator read, posted back with enable and unlock (409 when stale).</summary>
    [BindProperty]
    public UserActionInputModel Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        Detail = await api.GetUserAsync(id, cancellationToken);
        Input = new UserActionInputModel { Version = Detail.Version };
        return Page();
    }

    public Task<IActionResult> OnPostEnableAsync(Guid id, CancellationToken cancellationToken) =>
        ChangeAsync(id, api.EnableUserAsync, "The account is enabled; the user can sign in again.", cancellationToken);

    public Task<IActionResult> OnPostUnlockAsync(Guid id, CancellationToken cancellationToken) =>
        ChangeAsync(id, api.UnlockUserAsync, "The account is unlocked.", cancellationToken);

    private async Task<IActionResult> ChangeAsync(
        Guid id, Func<Guid, string, CancellationToken, Task> change, string done, CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid || string.IsNullOrEmpty(Input.Version))
        {
            ModelState.AddModelError(string.Empty, "The form was incomplete. Reload the page and try again.");
        }
        else
        {
            try
            {
                await change(id, Input.Version, cancellationToken);
                TempData.SetStatus(done);
                return RedirectToPage("Details", new { id });
            }
            catch (AdminApiConflictException exception)
            {
                ModelState.AddUserConflict(exception);
            }
            catch (AdminApiValidationException exception)
            {
                ModelState.AddApiErrors(exception);
            }
        }

        Detail = await api.GetUserAsync(id, cancellationToken);
        return Page();
    }
}

/// <summary>What a user action posts: the version read and, to end one session, its id.</summary>
public sealed class UserActionInputModel
{
    public string? Version { get; set; }

    public string? SessionId { get; set; }
}
