using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.AdminConsole.Infrastructure.AdminApi;

namespace OnePass.AdminConsole.Features.Audit;

/// <summary>
/// What the two audit lists share: a GET filter form whose <c>from</c>/<c>to</c> are <c>datetime-local</c>
/// values read at the UTC offset the administrator chose (UTC by default; the page says which), paging with
/// <c>p</c> (Razor Pages reserve <c>page</c>), a person given by user id or username, and the CSV download of
/// the same filter.
/// </summary>
public abstract class AuditListModel(AdminApiClient api) : PageModel
{
    public const int PageSize = 50;
    public const int MaxTextLength = 200;

    [BindProperty(SupportsGet = true)]
    public DateTime? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateTime? To { get; set; }

    /// <summary>The UTC offset of <see cref="From"/>, <see cref="To"/> and the times shown: <c>+09:00</c>; empty is UTC.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Offset { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public TimeSpan OffsetValue { get; private set; }

    protected AdminApiClient Api { get; } = api;

    /// <summary>The filter as query-string values (for paging and the CSV link); empty filters are left out.</summary>
    public Dictionary<string, string> FilterRoute()
    {
        var route = new Dictionary<string, string>(StringComparer.Ordinal);
        Add(route, "From", From?.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
        Add(route, "To", To?.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
        Add(route, "Offset", OffsetValue == TimeSpan.Zero ? null : AuditTime.Value(OffsetValue));
        AddFilters(route);
        return route;
    }

    public Dictionary<string, string> PageRoute(int page)
    {
        var route = FilterRoute();
        route["p"] = page.ToString(CultureInfo.InvariantCulture);
        return route;
    }

    protected abstract void AddFilters(Dictionary<string, string> route);

    protected static void Add(Dictionary<string, string> route, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            route[name] = value;
        }
    }

    /// <summary>Checks the shared filters; <paramref name="from"/> and <paramref name="to"/> are read at the chosen offset.</summary>
    protected (DateTimeOffset? From, DateTimeOffset? To) ReadTimes()
    {
        PageNumber = Math.Max(1, PageNumber);
        if (AuditTime.Parse(Offset) is { } offset)
        {
            OffsetValue = offset;
        }
        else
        {
            ModelState.AddModelError(nameof(Offset), "Choose a time zone offset from the list.");
        }

        DateTimeOffset? from = From is { } f ? AuditTime.At(f, OffsetValue) : null;
        DateTimeOffset? to = To is { } t ? AuditTime.At(t, OffsetValue) : null;
        if (from is { } start && to is { } end && end <= start)
        {
            ModelState.AddModelError(nameof(To), "The end must be after the start.");
        }

        return (from, to);
    }

    /// <summary>
    /// A person filter: a user id as is, otherwise the id of the user with exactly that username. Null when empty
    /// or when no such user exists (then with a field error).
    /// </summary>
    protected async Task<string?> ResolveUserAsync(string field, string? value, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        value = value.Trim();
        if (Guid.TryParse(value, out var id))
        {
            return id.ToString("D");
        }

        if (value.Length > MaxTextLength)
        {
            ModelState.AddModelError(field, $"Enter at most {MaxTextLength} characters.");
            return null;
        }

        var matches = await Api.ListUsersAsync(value, null, 1, 200, cancellationToken);
        if (matches.Items.FirstOrDefault(user => string.Equals(user.Username, value, StringComparison.OrdinalIgnoreCase)) is { } match)
        {
            return match.Id.ToString("D");
        }

        ModelState.AddModelError(field, "No user has that username or user id.");
        return null;
    }

    protected void CheckLength(string field, string? value)
    {
        if (value is { Length: > MaxTextLength })
        {
            ModelState.AddModelError(field, $"Enter at most {MaxTextLength} characters.");
        }
    }

    /// <summary>The filter page with its errors, as a 400: a CSV link with a bad filter gives no file.</summary>
    protected PageResult Invalid()
    {
        var page = Page();
        page.StatusCode = StatusCodes.Status400BadRequest;
        return page;
    }

    protected static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>
/// An audit list of <typeparamref name="TItem"/> filtered by a <typeparamref name="TQuery"/>: the page (GET) and
/// its CSV (GET <c>?handler=csv&amp;…</c>, every matching row streamed from the API) read and check the filter the
/// same way, and show the errors of a filter the API refuses.
/// </summary>
public abstract class AuditListModel<TQuery, TItem>(AdminApiClient api) : AuditListModel(api)
    where TQuery : class
{
    public PagedList<TItem> List { get; private set; } = new([], 0, 1, PageSize);

    /// <summary>The download's name when the API gives none.</summary>
    protected abstract string CsvFileName { get; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await ReadQueryAsync(cancellationToken) is not { } query)
        {
            return Page();
        }

        try
        {
            List = await ListAsync(query, cancellationToken);
        }
        catch (AdminApiValidationException exception)
        {
            ModelState.AddApiErrors(exception, prefix: string.Empty);
        }

        return Page();
    }

    public async Task<IActionResult> OnGetCsvAsync(CancellationToken cancellationToken)
    {
        if (await ReadQueryAsync(cancellationToken) is not { } query)
        {
            return Invalid();
        }

        try
        {
            return new ApiCsvResult(await ExportCsvAsync(query, cancellationToken), CsvFileName);
        }
        catch (AdminApiValidationException exception)
        {
            ModelState.AddApiErrors(exception, prefix: string.Empty);
            return Invalid();
        }
    }

    /// <summary>The query of the bound filter; null when it is invalid (the errors are in the model state).</summary>
    protected abstract Task<TQuery?> ReadQueryAsync(CancellationToken cancellationToken);

    protected abstract Task<PagedList<TItem>> ListAsync(TQuery query, CancellationToken cancellationToken);

    protected abstract Task<HttpResponseMessage> ExportCsvAsync(TQuery query, CancellationToken cancellationToken);
}
