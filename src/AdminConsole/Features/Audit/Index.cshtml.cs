using Microsoft.AspNetCore.Mvc;
using OnePass.AdminConsole.Infrastructure.AdminApi;

namespace OnePass.AdminConsole.Features.Audit;

/// <summary>/audit: sign-in events (every factor's success and failure), newest first, filtered; and their CSV.</summary>
public sealed class SignInAuditModel(AdminApiClient api) : AuditListModel(api)
{
    /// <summary>The methods OnePass records (suggested in the form; any other value is still accepted).</summary>
    public static readonly IReadOnlyList<string> Methods = ["pwd", "otp", "recovery", "passkey", "sso"];

    public static readonly IReadOnlyList<string> Outcomes =
        ["success", "failure", "locked", "replay", "insufficient", "unknown-credential", "counter-regression", "registered", "removed"];

    /// <summary>User id or username.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Person { get; set; }

    /// <summary>The agency's client id.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Agency { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Method { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Outcome { get; set; }

    public PagedList<SignInEvent> List { get; private set; } = new([], 0, 1, PageSize);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await ReadQueryAsync(cancellationToken) is not { } query)
        {
            return Page();
        }

        try
        {
            List = await Api.ListSignInsAsync(query, cancellationToken);
        }
        catch (AdminApiValidationException exception)
        {
            ModelState.AddApiErrors(exception, prefix: string.Empty);
        }

        return Page();
    }

    /// <summary>/audit?handler=csv&amp;…: every matching event, streamed from the API.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken cancellationToken)
    {
        if (await ReadQueryAsync(cancellationToken) is not { } query)
        {
            return Invalid();
        }

        try
        {
            return new ApiCsvResult(await Api.ExportSignInsCsvAsync(query, cancellationToken), "onepass-sign-ins.csv");
        }
        catch (AdminApiValidationException exception)
        {
            ModelState.AddApiErrors(exception, prefix: string.Empty);
            return Invalid();
        }
    }

    protected override void AddFilters(Dictionary<string, string> route)
    {
        Add(route, "Person", Person);
        Add(route, "Agency", Agency);
        Add(route, "Method", Method);
        Add(route, "Outcome", Outcome);
    }

    private async Task<SignInAuditQuery?> ReadQueryAsync(CancellationToken cancellationToken)
    {
        var (from, to) = ReadTimes();
        Person = Trimmed(Person);
        Agency = Trimmed(Agency);
        Method = Trimmed(Method);
        Outcome = Trimmed(Outcome);
        CheckLength(nameof(Agency), Agency);
        CheckLength(nameof(Method), Method);
        CheckLength(nameof(Outcome), Outcome);
        var userId = ModelState.IsValid ? await ResolveUserAsync(nameof(Person), Person, cancellationToken) : null;
        return ModelState.IsValid
            ? new SignInAuditQuery(from, to, userId, Agency, Method, Outcome, PageNumber, PageSize)
            : null;
    }
}
