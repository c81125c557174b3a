using Microsoft.AspNetCore.Mvc;
using OnePass.AdminConsole.Infrastructure.AdminApi;

namespace OnePass.AdminConsole.Features.Audit;

/// <summary>/audit/changes: administration changes, newest first, each with its before and after as a field-by-field diff; and their CSV.</summary>
public sealed class ChangeAuditModel(AdminApiClient api) : AuditListModel<ChangeAuditQuery, ChangeEvent>(api)
{
    public static readonly IReadOnlyList<(string Value, string Label)> TargetTypes =
        [("", "Any"), ("agency", "Agency"), ("scope", "Scope"), ("user", "User"), ("setting", "Setting")];

    /// <summary>Administrator: user id or username.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Actor { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? TargetType { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? TargetId { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Action { get; set; }

    protected override string CsvFileName => "onepass-changes.csv";

    protected override void AddFilters(Dictionary<string, string> route)
    {
        Add(route, "Actor", Actor);
        Add(route, "TargetType", TargetType);
        Add(route, "TargetId", TargetId);
        Add(route, "Action", Action);
    }

    protected override async Task<ChangeAuditQuery?> ReadQueryAsync(CancellationToken cancellationToken)
    {
        var (from, to) = ReadTimes();
        Actor = Trimmed(Actor);
        TargetType = Trimmed(TargetType);
        TargetId = Trimmed(TargetId);
        Action = Trimmed(Action);
        if (TargetType is not null && !TargetTypes.Any(type => type.Value == TargetType))
        {
            ModelState.AddModelError(nameof(TargetType), "Choose a kind of record from the list.");
        }

        CheckLength(nameof(TargetId), TargetId);
        CheckLength(nameof(Action), Action);
        var actorId = ModelState.IsValid ? await ResolveUserAsync(nameof(Actor), Actor, cancellationToken) : null;
        return ModelState.IsValid
            ? new ChangeAuditQuery(from, to, actorId, TargetType, TargetId, Action, PageNumber, PageSize)
            : null;
    }

    protected override Task<PagedList<ChangeEvent>> ListAsync(ChangeAuditQuery query, CancellationToken cancellationToken) =>
        Api.ListChangesAsync(query, cancellationToken);

    protected override Task<HttpResponseMessage> ExportCsvAsync(ChangeAuditQuery query, CancellationToken cancellationToken) =>
        Api.ExportChangesCsvAsync(query, cancellationToken);
}
