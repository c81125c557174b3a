using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.AdminConsole.Infrastructure.AdminApi;
using OnePass.AdminConsole.Infrastructure.Web;

namespace OnePass.AdminConsole.Features.Scopes;

public sealed class CreateModel(AdminApiClient api) : PageModel
{
    [BindProperty]
    public ScopeInputModel Input { get; set; } = new();

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        try
        {
            await api.CreateScopeAsync(new ScopeCreateRequest(
                Input.Name?.Trim() ?? string.Empty, Input.DisplayName?.Trim() ?? string.Empty, Input.Description?.Trim() ?? string.Empty, Input.Claims), cancellationToken);
            TempData.SetStatus($"Scope {Input.Name?.Trim()} defined.");
            return RedirectToPage("Index");
        }
        catch (AdminApiValidationException exception)
        {
            ModelState.AddApiErrors(exception, describeItem: (field, index) => field == "claims" && index < Input.Claims.Count ? Input.Claims[index] : null);
        }
        catch (AdminApiConflictException exception)
        {
            ModelState.AddModelError("Input.Name", exception.Description); // the name is taken
        }

        return Page();
    }
}
