using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.AdminConsole.Infrastructure.AdminApi;
using OnePass.AdminConsole.Infrastructure.Web;

namespace OnePass.AdminConsole.Features.Scopes;

/// <summary>Edits a custom scope at the version read; a stale edit gets the 409 message with the input kept.</summary>
public sealed class EditModel(AdminApiClient api) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Name { get; set; } = string.Empty;

    [BindProperty]
    public ScopeInputModel Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var scope = await api.GetScopeAsync(Name, cancellationToken);
        if (scope.IsReadOnly)
        {
            TempData.SetStatus($"The built-in scope {scope.Name} cannot be changed.");
            return RedirectToPage("Index");
        }

        Input = new ScopeInputModel
        {
            Name = scope.Name,
            DisplayName = scope.DisplayName,
            Description = scope.Description,
            Claims = [.. scope.Claims ?? []],
            Version = scope.Version,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        try
        {
            await api.UpdateScopeAsync(Name, new ScopeUpdateRequest(
                Input.DisplayName?.Trim() ?? string.Empty, Input.Description?.Trim() ?? string.Empty, Input.Claims, Input.Version ?? string.Empty), cancellationToken);
            TempData.SetStatus($"Scope {Name} saved.");
            return RedirectToPage("Index");
        }
        catch (AdminApiValidationException exception)
        {
            ModelState.AddApiErrors(exception, describeItem: (field, index) => field == "claims" && index < Input.Claims.Count ? Input.Claims[index] : null);
        }
        catch (AdminApiConflictException)
        {
            ModelState.AddConflict();
        }

        return Page();
    }
}
