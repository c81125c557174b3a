using Microsoft.AspNetCore.Mvc;
using OnePass.AdminConsole.Features.Scopes;
using OnePass.AdminConsole.Infrastructure.AdminApi;
using OnePass.AdminConsole.Infrastructure.Web;

namespace OnePass.AdminConsole.Features.Agencies;

/// <summary>
/// Edits an agency. The form carries the <c>version</c> it was read at; when someone else saved meanwhile the API
/// answers 409 and the form comes back with the administrator's input and the stale-version message (no lost update).
/// </summary>
public sealed class EditModel(AdminApiClient api, ScopeCatalog scopes) : AgencyFormPageModel(api, scopes)
{
    public override bool IsCreate => false;

    [BindProperty(SupportsGet = true)]
    public string ClientId { get; set; } = string.Empty;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Input = AgencyInputModel.From(await Api.GetAgencyAsync(ClientId, cancellationToken));
        await LoadChoicesAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        Input.ClientId = ClientId;
        try
        {
            await Api.UpdateAgencyAsync(ClientId, Input.ToUpdateRequest(), cancellationToken);
            TempData.SetStatus("Agency saved.");
            return RedirectToPage("Details", new { clientId = ClientId });
        }
        catch (AdminApiValidationException exception)
        {
            ShowErrors(exception);
        }
        catch (AdminApiConflictException)
        {
            ModelState.AddConflict();
        }

        await LoadChoicesAsync(cancellationToken);
        return Page();
    }
}
