using Microsoft.AspNetCore.Mvc;
using OnePass.AdminConsole.Infrastructure.AdminApi;

namespace OnePass.AdminConsole.Features.Audit;

/// <summary>/audit: sign-in events (every factor's success and failure), newest first, filtered; and their CSV.</summary>
public sealed class SignInAuditModel(AdminApiClient api) : AuditListModel<SignInAuditQuery, SignInEvent>(api)
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

    protected override string CsvFileName => "onepass-sign-ins.csv";

    protected override void AddFilters(Dictionary<string, string> route)
    {
        Add(route, "Person", Person);
        Add(route, "Agency", Agency);
        Add(route, "Method", Method);
        Add(route, "Outcome", Outcome);
    }

    protected override async Task<SignInAuditQuery?> ReadQueryAsync(CancellationToken cancellationToken)
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

    protected override Task<PagedList<SignInEvent>> ListAsync(SignInAuditQuery query, CancellationToken cancellationToken) =>
        Api.ListSignInsAsync(query, cancellationToken);

    protected override Task<HttpResponseMessage> ExportCsvAsync(SignInAuditQuery query, CancellationToken cancellationToken) =>
        Api.ExportSignInsCsvAsync(query, cancellationToken);
}
