using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.AdminConsole.Infrastructure.AdminApi;
using OnePass.AdminConsole.Infrastructure.Web;

namespace OnePass.AdminConsole.Features.Agencies;

/// <summary>Confirms, then deletes an agency at the version shown (a stale confirmation gets the 409 message).</summary>
public sealed class DeleteModel(AdminApiClient api) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string ClientId { get; set; } = string.Empty;

    public Agency Agency { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken cancellationToken) => Agency = await api.GetAgencyAsync(ClientId, cancellationToken);

    public async Task<IActionResult> OnPostAsync(string version, CancellationToken cancellationToken)
    {
        try
        {
            await api.DeleteAgencyAsync(ClientId, version, cancellationToken);
            TempData.SetStatus($"Agency {ClientId} deleted.");
            return RedirectToPage("Index");
        }
        catch (AdminApiValidationException exception)
        {
            ModelState.AddApiErrors(exception, prefix: string.Empty);
        }
        catch (AdminApiConflictException)
        {
            ModelState.AddConflict();
        }

        Agency = await api.GetAgencyAsync(ClientId, cancellationToken);
        return Page();
    }
}
