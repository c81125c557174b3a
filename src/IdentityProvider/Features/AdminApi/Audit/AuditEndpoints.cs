using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;

namespace OnePass.IdentityProvider.Features.AdminApi.Audit;

/// <summary>
/// The audit trail through the admin API (issue 5, "Audit: query by time, user, agency, event type; CSV
/// export streamed"): sign-in events (<see cref="AuthEvent"/>) and administration changes
/// (<see cref="AdminChange"/>), newest first, as JSON pages or as CSV with every matching row.
/// <c>from</c> is inclusive and <c>to</c> exclusive. Times are compared in UTC: the SQLite provider stores
/// them as binary ticks that only order correctly for one offset, and every row is written in UTC.
/// </summary>
public static class AuditEndpoints
{
    public const string Unknown = "unknown";
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const int MaxPage = 1_000_000;

    private const int MaxIdLength = 200;
    private const int MaxNameLength = 60;

    private static readonly string[] SignInParameters = ["from", "to", "userId", "clientId", "method", "outcome"];
    private static readonly string[] ChangeParameters = ["from", "to", "actorId", "targetType", "targetId", "action"];
    private static readonly string[] Paging = ["page", "pageSize"];

    public static RouteGroupBuilder Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/audit/sign-ins", ListSignInsAsync)
            .WithName("ListSignInEvents")
            .WithSummary("Sign-in events, newest first")
            .WithDescription(
                "Every authentication event: each factor's success and failure (method pwd, otp, recovery, passkey), " +
                "enrolments and removals, and 'sso' (an agency served from an existing session without a new factor). " +
                "Filters: from (inclusive), to (exclusive), ISO 8601 with offset; userId; clientId; method; outcome. " +
                "username is 'unknown' when the event has no user or the account is gone.")
            .WithTags("Audit")
            .Produces<AuditPage<SignInEventView>>()
            .Produces<AdminApiError>(StatusCodes.Status400BadRequest);
        admin.MapGet("/audit/sign-ins.csv", ExportSignIns)
            .WithName("ExportSignInEvents")
            .WithSummary("Sign-in events as CSV (all matching rows, streamed)")
            .WithDescription(
                "The same filters as /audit/sign-ins (no paging); every matching row, newest first, streamed. RFC 4180 CSV in " +
                "UTF-8 with a header row and CRLF line ends. Columns: " + string.Join(", ", AuditCsv.SignInColumns) + ". " +
                "time is UTC (yyyy-MM-ddTHH:mm:ss.fffZ); userId, clientId, ipAddress and userAgent are empty when unknown; " +
                "username is 'unknown' when the event has no user or the account is gone. " + AuditCsv.InjectionNote)
            .WithTags("Audit")
            .Produces(StatusCodes.Status200OK, contentType: AuditCsv.ContentType)
            .Produces<AdminApiError>(StatusCodes.Status400BadRequest);
        admin.MapGet("/audit/changes", ListChangesAsync)
            .WithName("ListAdminChanges")
            .WithSummary("Administration changes, newest first, with before and after")
            .WithDescription(
                "Every change made through the admin API: who (actorId, actorName: the administrator's username at the time), " +
                "what (action, targetType, targetId), from where (ipAddress), and the record before and after as JSON objects " +
                "(secrets redacted; null for a creation or a deletion). Filters: from (inclusive), to (exclusive), ISO 8601 " +
                "with offset; actorId; targetType; targetId; action.")
            .WithTags("Audit")
            .Produces<AuditPage<AdminChangeView>>()
            .Produces<AdminApiError>(StatusCodes.Status400BadRequest);
        admin.MapGet("/audit/changes.csv", ExportChanges)
            .WithName("ExportAdminChanges")
            .WithSummary("Administration changes as CSV (all matching rows, streamed)")
            .WithDescription(
                "The same filters as /audit/changes (no paging); every matching row, newest first, streamed. RFC 4180 CSV in " +
                "UTF-8 with a header row and CRLF line ends. Columns: " + string.Join(", ", AuditCsv.ChangeColumns) + ". " +
                "time is UTC (yyyy-MM-ddTHH:mm:ss.fffZ); actorId is empty for a command-line change; before and after are " +
                "the records as JSON text, empty for a creation or a deletion. " + AuditCsv.InjectionNote)
            .WithTags("Audit")
            .Produces(StatusCodes.Status200OK, contentType: AuditCsv.ContentType)
            .Produces<AdminApiError>(StatusCodes.Status400BadRequest);
        return admin;
    }

    /// <summary>GET /api/admin/audit/sign-ins</summary>
    public static async Task<IResult> ListSignInsAsync(HttpRequest request, OnePassDbContext db, CancellationToken cancellationToken)
    {
        var query = AdminApiQuery.Read(request, [.. SignInParameters, .. Paging]);
        var rows = SignInRows(query, db);
        var (page, pageSize) = ReadPaging(query);
        if (query.Error is { } error)
        {
            return error;
        }

        var total = await rows.CountAsync(cancellationToken);
        var items = await Project(rows.OrderByDescending(e => e.Time).ThenByDescending(e => e.Id), db)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .ToListAsync(cancellationToken);
        return Results.Ok(new AuditPage<SignInEventView>([.. items.Select(View)], total, page, pageSize));
    }

    /// <summary>GET /api/admin/audit/sign-ins.csv</summary>
    public static IResult ExportSignIns(HttpRequest request, OnePassDbContext db, TimeProvider time)
    {
        var query = AdminApiQuery.Read(request, SignInParameters);
        var rows = SignInRows(query, db);
        if (query.Error is { } error)
        {
            return error;
        }

        var ordered = Project(rows.OrderByDescending(e => e.Time).ThenByDescending(e => e.Id), db).AsAsyncEnumerable();
        return new AuditCsv.Result<SignInRow>(AuditCsv.FileName("sign-ins", time), AuditCsv.SignInColumns, ordered, AuditCsv.Cells);
    }

    /// <summary>GET /api/admin/audit/changes</summary>
    public static async Task<IResult> ListChangesAsync(HttpRequest request, OnePassDbContext db, CancellationToken cancellationToken)
    {
        var query = AdminApiQuery.Read(request, [.. ChangeParameters, .. Paging]);
        var rows = ChangeRows(query, db);
        var (page, pageSize) = ReadPaging(query);
        if (query.Error is { } error)
        {
            return error;
        }

        var total = await rows.CountAsync(cancellationToken);
        var items = await rows.OrderByDescending(c => c.Time).ThenByDescending(c => c.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .ToListAsync(cancellationToken);
        return Results.Ok(new AuditPage<AdminChangeView>([.. items.Select(View)], total, page, pageSize));
    }

    /// <summary>GET /api/admin/audit/changes.csv</summary>
    public static IResult ExportChanges(HttpRequest request, OnePassDbContext db, TimeProvider time)
    {
        var query = AdminApiQuery.Read(request, ChangeParameters);
        var rows = ChangeRows(query, db);
        if (query.Error is { } error)
        {
            return error;
        }

        var ordered = rows.OrderByDescending(c => c.Time).ThenByDescending(c => c.Id).AsAsyncEnumerable();
        return new AuditCsv.Result<AdminChange>(AuditCsv.FileName("changes", time), AuditCsv.ChangeColumns, ordered, AuditCsv.Cells);
    }

    private static (int Page, int PageSize) ReadPaging(AdminApiQuery query) =>
        (query.Number("page", 1, 1, MaxPage), query.Number("pageSize", DefaultPageSize, 1, MaxPageSize));

    private static IQueryable<AuthEvent> SignInRows(AdminApiQuery query, OnePassDbContext db)
    {
        var from = query.Timestamp("from");
        var to = query.Timestamp("to");
        var userId = query.Id("userId");
        var clientId = query.Text("clientId", MaxIdLength);
        var method = query.Text("method", MaxNameLength);
        var outcome = query.Text("outcome", MaxNameLength);

        var rows = db.AuthEvents.AsNoTracking();
        if (from is { } start)
        {
            rows = rows.Where(e => e.Time >= start);
        }

        if (to is { } end)
        {
            rows = rows.Where(e => e.Time < end);
        }

        if (userId is { } user)
        {
            rows = rows.Where(e => e.UserId == user);
        }

        if (clientId is not null)
        {
            rows = rows.Where(e => e.ClientId == clientId);
        }

        if (method is not null)
        {
            rows = rows.Where(e => e.Method == method);
        }

        if (outcome is not null)
        {
            rows = rows.Where(e => e.Outcome == outcome);
        }

        return rows;
    }

    private static IQueryable<AdminChange> ChangeRows(AdminApiQuery query, OnePassDbContext db)
    {
        var from = query.Timestamp("from");
        var to = query.Timestamp("to");
        var actorId = query.Id("actorId");
        var targetType = query.Text("targetType", MaxNameLength);
        var targetId = query.Text("targetId", MaxIdLength);
        var action = query.Text("action", MaxNameLength);

        var rows = db.AdminChanges.AsNoTracking();
        if (from is { } start)
        {
            rows = rows.Where(c => c.Time >= start);
        }

        if (to is { } end)
        {
            rows = rows.Where(c => c.Time < end);
        }

        if (actorId is { } actor)
        {
            rows = rows.Where(c => c.ActorUserId == actor);
        }

        if (targetType is not null)
        {
            rows = rows.Where(c => c.TargetType == targetType);
        }

        if (targetId is not null)
        {
            rows = rows.Where(c => c.TargetId == targetId);
        }

        if (action is not null)
        {
            rows = rows.Where(c => c.Action == action);
        }

        return rows;
    }

    // The username by a correlated subquery: one statement, streamable, on both providers.
    private static IQueryable<SignInRow> Project(IQueryable<AuthEvent> rows, OnePassDbContext db) => rows.Select(e => new SignInRow(
        e.Id, e.Time, e.UserId, db.Users.Where(u => u.Id == e.UserId).Select(u => u.UserName).FirstOrDefault(),
        e.Method, e.Outcome, e.ClientId, e.IpAddress, e.UserAgent));

    private static SignInEventView View(SignInRow row) => new(
        row.Id, row.Time, row.UserId, row.UserName ?? Unknown, row.Method, row.Outcome, row.ClientId, row.IpAddress, row.UserAgent);

    private static AdminChangeView View(AdminChange change) => new(
        change.Id, change.Time, change.ActorUserId, change.ActorName, change.Action, change.TargetType, change.TargetId,
        Json(change.Before), Json(change.After), change.IpAddress);

    /// <summary>The stored record as a JSON value (an object, as written by <see cref="AdminChangeLog"/>).</summary>
    private static JsonNode? Json(string? stored)
    {
        if (stored is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(stored);
        }
        catch (JsonException)
        {
            return JsonValue.Create(stored); // never expected; shown as text rather than failing the page
        }
    }
}

/// <summary>A sign-in event with its user's name, as read for a page or the CSV.</summary>
public sealed record SignInRow(
    Guid Id, DateTimeOffset Time, Guid? UserId, string? UserName, string Method, string Outcome, string? ClientId, string? IpAddress, string? UserAgent);

/// <summary>One page of audit rows (the admin API's list shape).</summary>
public sealed record AuditPage<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize);

/// <summary>One sign-in event: no secret or code is ever stored in one.</summary>
public sealed record SignInEventView(
    Guid Id,
    DateTimeOffset Time,
    Guid? UserId,
    string Username,
    string Method,
    string Outcome,
    string? ClientId,
    string? IpAddress,
    string? UserAgent);

/// <summary>One administration change; <see cref="Before"/> and <see cref="After"/> are the records as JSON objects.</summary>
public sealed record AdminChangeView(
    Guid Id,
    DateTimeOffset Time,
    Guid? ActorId,
    string ActorName,
    string Action,
    string TargetType,
    string TargetId,
    JsonNode? Before,
    JsonNode? After,
    string? IpAddress);
