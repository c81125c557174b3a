using Microsoft.AspNetCore.Mvc.ModelBinding;
using OnePass.AdminConsole.Infrastructure.AdminApi;

namespace OnePass.AdminConsole.Features.Users;

/// <summary>
/// A 409 from a user action means one of two things: the user changed since the administrator read it (a stale
/// <c>version</c>: the console's usual sentence, <see cref="ApiErrorsModelState.AddConflict"/>), or the action is
/// refused in the account's state ("already disabled", "your own account", "the last enabled administrator"),
/// which the API explains in its description. The API's stale-version answer is the one that names the version.
/// </summary>
public static class UserConflicts
{
    public static void AddUserConflict(this ModelStateDictionary modelState, AdminApiConflictException exception)
    {
        if (exception.Description.Contains("version", StringComparison.OrdinalIgnoreCase))
        {
            modelState.AddConflict();
        }
        else
        {
            modelState.AddModelError(string.Empty, exception.Description);
        }
    }
}
