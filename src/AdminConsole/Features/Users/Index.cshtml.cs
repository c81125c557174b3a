using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.AdminConsole.Infrastructure.AdminApi;

namespace OnePass.AdminConsole.Features.Users;

/// <summary>
/// /users: the users, searched by username, e-mail or name and filtered by status. The filters are a GET form,
/// so a filtered list is a link an administrator can share; <c>p</c> is the page (Razor Pages reserve <c>page</c>).
/// </summary>
public sealed class UsersModel(AdminApiClient api) : PageModel
{
    public const int PageSize = 50;

    public static readonly IReadOnlyList<(string Value, string Label)> Statuses =
        [("", "Any status"), ("active", "Active"), ("locked", "Locked"), ("disabled", "Disabled")];

    [BindProperty(SupportsGet = true)]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public PagedList<UserSummary> List { get; private set; } = new([], 0, 1, PageSize);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Search = string.IsNullOrWhiteSpace(Search) ? null : Search.Trim();
        if (Search is { Length: > 200 })
        {
            ModelState.AddModelError(nameof(Search), "Enter at most 200 characters.");
        }

        if (!string.IsNullOrEmpty(Status) && !Statuses.Any(s => s.Value == Status))
        {
            ModelState.AddModelError(nameof(Status), "Choose a status from the list.");
        }

        PageNumber = Math.Max(1, PageNumber);
        if (!ModelState.IsValid)
        {
            return Page();
        }

        try
        {
            List = await api.ListUsersAsync(Search, string.IsNullOrEmpty(Status) ? null : Status, PageNumber, PageSize, cancellationToken);
        }
        catch (AdminApiValidationException exception)
        {
            ModelState.AddApiErrors(exception, prefix: string.Empty);
        }

        return Page();
    }
}
