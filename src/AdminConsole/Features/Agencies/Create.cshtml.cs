using Microsoft.AspNetCore.Mvc;
using OnePass.AdminConsole.Features.Scopes;
using OnePass.AdminConsole.Infrastructure.AdminApi;
using OnePass.AdminConsole.Infrastructure.Web;

namespace OnePass.AdminConsole.Features.Agencies;

/// <summary>
/// Registers an agency. A confidential client's secret comes back once from the API; it is rendered in this very
/// answer (no redirect, so it is in no URL, cookie or TempData) and the console keeps no copy.
/// </summary>
public sealed class CreateModel(AdminApiClient api, ScopeCatalog scopes) : AgencyFormPageModel(api, scopes)
{
    public override bool IsCreate => true;

    /// <summary>The registered agency and its secret, on the answer to a successful POST of a confidential client.</summary>
    public IssuedAgency? Issued { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Input = new AgencyInputModel();
        await LoadChoicesAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        try
        {
            var issued = await Api.CreateAgencyAsync(Input.ToCreateRequest(), cancellationToken);
            if (!string.IsNullOrEmpty(issued.ClientSecret))
            {
                Issued = issued;
                return Page();
            }

            TempData.SetStatus($"Agency {issued.ClientId} registered.");
            return RedirectToPage("Details", new { clientId = issued.ClientId });
        }
        catch (AdminApiValidationException exception)
        {
            ShowErrors(exception);
        }
        catch (AdminApiConflictException exception)
        {
            // On a registration, a conflict is a client id that is taken.
            ModelState.AddModelError("Input.ClientId", exception.Description);
        }

        await LoadChoicesAsync(cancellationToken);
        return Page();
    }
}
