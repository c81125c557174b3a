using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using OnePass.AdminConsole.Infrastructure;
using OnePass.AdminConsole.Infrastructure.AdminApi;
using OnePass.AdminConsole.Infrastructure.Web;

namespace OnePass.AdminConsole.Features.Agencies;

/// <summary>
/// One agency with every field, its logo and secret information, and the actions that need no form of their own:
/// disable/enable and secret rotation. A rotation's new secret is rendered in the POST's own answer, once.
/// </summary>
public sealed class DetailsModel(AdminApiClient api, IOptions<ConsoleOptions> options) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string ClientId { get; set; } = string.Empty;

    public Agency Agency { get; private set; } = null!;

    /// <summary>The logo's address at OnePass (the API gives it relative to the authority), or null.</summary>
    public string? LogoSource { get; private set; }

    [BindProperty]
    public int OverlapHours { get; set; } = 24;

    public IssuedAgency? Issued { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostDisableAsync(string version, CancellationToken cancellationToken) =>
        ChangeAsync(() => api.DisableAgencyAsync(ClientId, version, cancellationToken), "Agency disabled: its sign-ins and tokens are refused.", cancellationToken);

    public Task<IActionResult> OnPostEnableAsync(string version, CancellationToken cancellationToken) =>
        ChangeAsync(() => api.EnableAgencyAsync(ClientId, version, cancellationToken), "Agency enabled.", cancellationToken);

    public async Task<IActionResult> OnPostRotateAsync(string version, CancellationToken cancellationToken)
    {
        try
        {
            Issued = await api.RotateSecretAsync(ClientId, new SecretRotationRequest(version, OverlapHours), cancellationToken);
            if (string.IsNullOrEmpty(Issued.ClientSecret))
            {
                throw new AdminApiUnavailableException("The admin API rotated the secret but did not return it.");
            }

            await LoadAsync(cancellationToken);
            return Page();
        }
        catch (AdminApiValidationException exception)
        {
            Issued = null;
            ModelState.AddApiErrors(exception, prefix: string.Empty);
        }
        catch (AdminApiConflictException)
        {
            ModelState.AddConflict();
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task<IActionResult> ChangeAsync(Func<Task> change, string done, CancellationToken cancellationToken)
    {
        try
        {
            await change();
            TempData.SetStatus(done);
            return RedirectToPage("Details", new { clientId = ClientId });
        }
        catch (AdminApiValidationException exception)
        {
            ModelState.AddApiErrors(exception, prefix: string.Empty);
        }
        catch (AdminApiConflictException)
        {
            ModelState.AddConflict();
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Agency = await api.GetAgencyAsync(ClientId, cancellationToken);
        LogoSource = Agency.LogoUrl is { Length: > 0 } logo && Uri.TryCreate(options.Value.AuthorityUri, logo, out var address) &&
            (address.Scheme == Uri.UriSchemeHttps || address.Scheme == Uri.UriSchemeHttp)
            ? address.ToString()
            : null;
    }
}
