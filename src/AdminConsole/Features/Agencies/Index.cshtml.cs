using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.AdminConsole.Infrastructure.AdminApi;

namespace OnePass.AdminConsole.Features.Agencies;

/// <summary>The registered agencies: search (client id, display name, contact e-mail), status filter, pages of 50.</summary>
public sealed class IndexModel(AdminApiClient api) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public PagedList<Agency> Agencies { get; private set; } = new([], 0, 1, PageSize);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        // Only the values the API knows: anything else is "all", rather than a 400 for a hand-edited URL.
        Status = Status is "enabled" or "disabled" ? Status : null;
        PageNumber = Math.Max(1, PageNumber);
        Search = string.IsNullOrWhiteSpace(Search) ? null : Search.Trim();
        Agencies = await api.ListAgenciesAsync(Search, Status, PageNumber, PageSize, cancellationToken);
    }
}
