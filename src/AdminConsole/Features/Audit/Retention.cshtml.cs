using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.AdminConsole.Infrastructure.AdminApi;
using OnePass.AdminConsole.Infrastructure.Web;

namespace OnePass.AdminConsole.Features.Audit;

/// <summary>/audit/retention: how long sign-in events and administration changes are kept (30–3650 days).</summary>
public sealed class RetentionModel(AdminApiClient api) : PageModel
{
    public const int MinDays = 30;
    public const int MaxDays = 3650;

    [BindProperty]
    public RetentionInputModel Input { get; set; } = new();

    /// <summary>The setting as read (shown beside the form; after a 409 the input stays as typed).</summary>
    public AuditRetention? Current { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Current = await api.GetRetentionAsync(cancellationToken);
        Input = new RetentionInputModel { Days = Current.Days, Version = Current.Version };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(Input.Version))
        {
            ModelState.AddModelError(string.Empty, "The form was incomplete. Reload the page and try again.");
        }

        if (ModelState.IsValid)
        {
            try
            {
                await api.SetRetentionAsync(new AuditRetentionRequest(Input.Days!.Value, Input.Version!), cancellationToken);
                TempData.SetStatus($"Audit rows are now kept for {Input.Days} days.");
                return RedirectToPage("Retention");
            }
            catch (AdminApiConflictException)
            {
                ModelState.AddConflict();
            }
            catch (AdminApiValidationException exception)
            {
                ModelState.AddApiErrors(exception);
            }
        }

        Current = await api.GetRetentionAsync(cancellationToken);
        return Page();
    }
}

public sealed class RetentionInputModel
{
    [Required(ErrorMessage = "Enter how many days audit rows are kept.")]
    [Range(RetentionModel.MinDays, RetentionModel.MaxDays, ErrorMessage = "Enter a whole number of days from 30 to 3650.")]
    [Display(Name = "Keep audit rows for (days)")]
    public int? Days { get; set; }

    public string? Version { get; set; }
}
