using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using OnePass.AdminConsole.Infrastructure;
using OnePass.AdminConsole.Infrastructure.AdminApi;
using OnePass.AdminConsole.Infrastructure.Web;

namespace OnePass.AdminConsole.Features.Agencies;

/// <summary>
/// Uploads or removes an agency's logo. The browser sends a multipart form; the console sends the file's bytes
/// to the API as they are, with the image content type. The API decides (it reads the type from the bytes and
/// checks the size in pixels); the console only refuses what it can see is wrong without sending it.
/// </summary>
public sealed class LogoModel(AdminApiClient api, IOptions<ConsoleOptions> options) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string ClientId { get; set; } = string.Empty;

    [BindProperty]
    public IFormFile? Upload { get; set; }

    public Agency Agency { get; private set; } = null!;

    public string? LogoSource { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostUploadAsync(CancellationToken cancellationToken)
    {
        var contentType = Upload?.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (Upload is null || Upload.Length == 0)
        {
            ModelState.AddModelError(nameof(Upload), "Choose an image file.");
        }
        else if (Upload.Length > AgencyScreens.MaxLogoBytes)
        {
            ModelState.AddModelError(nameof(Upload), "The file is larger than 256 KiB.");
        }
        else if (contentType is null || !AgencyScreens.LogoContentTypes.Contains(contentType, StringComparer.Ordinal))
        {
            ModelState.AddModelError(nameof(Upload), "The file must be a PNG, JPEG or WebP image.");
        }
        else
        {
            using var buffer = new MemoryStream((int)Upload.Length);
            await Upload.CopyToAsync(buffer, cancellationToken);
            try
            {
                await api.UploadLogoAsync(ClientId, buffer.ToArray(), contentType, cancellationToken);
                TempData.SetStatus("Logo uploaded.");
                return RedirectToPage("Details", new { clientId = ClientId });
            }
            catch (AdminApiValidationException exception)
            {
                // The API names the body as a whole; its messages belong to the file field.
                foreach (var message in exception.Errors.Count == 0 ? [exception.Description] : exception.Errors.Values.SelectMany(m => m))
                {
                    ModelState.AddModelError(nameof(Upload), message);
                }
            }
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveAsync(CancellationToken cancellationToken)
    {
        await api.RemoveLogoAsync(ClientId, cancellationToken);
        TempData.SetStatus("Logo removed.");
        return RedirectToPage("Details", new { clientId = ClientId });
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Agency = await api.GetAgencyAsync(ClientId, cancellationToken);
        LogoSource = Agency.LogoUrl is { Length: > 0 } logo && Uri.TryCreate(options.Value.AuthorityUri, logo, out var address)
            ? address.ToString()
            : null;
    }
}
