using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.AdminConsole.Infrastructure.AdminApi;
using OnePass.AdminConsole.Infrastructure.Web;

namespace OnePass.AdminConsole.Features.Scopes;

/// <summary>
/// Confirms, then deletes a custom scope. A 409 here usually means an agency may still ask for the scope: the
/// API's sentence says which, so it is shown as it is.
/// </summary>
public sealed class DeleteModel(AdminApiClient api) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Name { get; set; } = string.Empty;

    public string? Version { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => Version = (await api.GetScopeAsync(Name, cancellationToken)).Version;

    public async Task<IActionResult> OnPostAsync(string version, CancellationToken cancellationToken)
    {
        Version = version;
        try
        {
            await api.DeleteScopeAsync(Name, version, cancellationToken);
            TempData.SetStatus($"Scope {Name} deleted.");
            return RedirectToPage("Index");
        }
        catch (AdminApiValidationException exception)
        {
            ModelState.AddApiErrors(exception, prefix: string.Empty);
        }
        catch (AdminApiConflictException exception)
        {
            ModelState.AddModelError(string.Empty, exception.Description);
            ModelState.AddModelError(string.Empty, "Remove the scope from every agency that lists it, or reload if someone changed it meanwhile.");
        }

        return Page();
    }
}
