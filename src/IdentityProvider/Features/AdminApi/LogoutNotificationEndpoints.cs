using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;

namespace OnePass.IdentityProvider.Features.AdminApi;

/// <summary>
/// Delivery status of the back-channel logout outbox (issue 3, "delivery status visible through the
/// admin API"): which agency was told, how many attempts, what it last answered. Read-only. The rows'
/// <c>sub</c> and <c>sid</c> are personal data an operator does not need here and are never selected.
/// </summary>
public static class LogoutNotificationEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    private const int MaxClientIdLength = 100;

    private static readonly Dictionary<string, LogoutNotificationStatus> Statuses = new(StringComparer.Ordinal)
    {
        ["pending"] = LogoutNotificationStatus.Pending,
        ["delivered"] = LogoutNotificationStatus.Delivered,
        ["failed"] = LogoutNotificationStatus.Failed,
    };

    public static RouteGroupBuilder Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/logout-notifications", ListAsync).WithName("ListLogoutNotifications").WithTags("Single logout")
            .WithSummary("Back-channel logout notifications (outbox rows), newest first, with their delivery state; filters status, clientId, limit.");
        admin.MapGet("/logout-notifications/summary", SummaryAsync).WithName("LogoutNotificationSummary").WithTags("Single logout")
            .WithSummary("Per agency: notifications pending, delivered and failed.");
        return admin;
    }

    /// <summary>GET /api/admin/logout-notifications?status=&amp;clientId=&amp;limit= — newest first.</summary>
    public static async Task<IResult> ListAsync(HttpRequest request, OnePassDbContext db, CancellationToken cancellationToken)
    {
        var query = AdminApiQuery.Read(request, "status", "clientId", "limit");
        var status = query.OneOf("status", Statuses);
        var clientId = query.Text("clientId", MaxClientIdLength);
        var limit = query.Number("limit", DefaultLimit, 1, MaxLimit);
        if (query.Error is { } error)
        {
            return error;
        }

        var rows = db.LogoutNotifications.AsNoTracking();
        if (status is { } wanted)
        {
            rows = rows.Where(n => n.Status == wanted);
        }

        if (clientId is not null)
        {
            rows = rows.Where(n => n.ClientId == clientId);
        }

        var items = await rows
            .OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id)
            .Take(limit)
            .Select(n => new
            {
                n.Id, n.ClientId, n.Status, n.Attempts, n.CreatedAt, n.NextAttemptAt, n.DeliveredAt,
                n.LastStatusCode, n.LastError, n.Reason,
            })
            .ToListAsync(cancellationToken);

        return Results.Ok(new LogoutNotificationList([.. items.Select(n => new LogoutNotificationView(
            n.Id, n.ClientId, Name(n.Status), n.Attempts, n.CreatedAt,
            // While an attempt runs, NextAttemptAt is the end of its lease: still "when it is due again".
            n.Status == LogoutNotificationStatus.Pending ? n.NextAttemptAt : null,
            n.DeliveredAt, n.LastStatusCode, n.LastError, n.Reason))]));
    }

    /// <summary>GET /api/admin/logout-notifications/summary — counts per status and per agency.</summary>
    public static async Task<IResult> SummaryAsync(HttpRequest request, OnePassDbContext db, CancellationToken cancellationToken)
    {
        if (AdminApiQuery.Read(request).Error is { } error)
        {
            return error;
        }

        var groups = await db.LogoutNotifications.AsNoTracking()
            .GroupBy(n => new { n.ClientId, n.Status })
            .Select(g => new { g.Key.ClientId, g.Key.Status, Count = g.Count() })
            .ToListAsync(cancellationToken);

        static int Count(IEnumerable<(LogoutNotificationStatus Status, int Count)> counts, LogoutNotificationStatus status) =>
            counts.Where(c => c.Status == status).Sum(c => c.Count);

        var all = groups.Select(g => (g.Status, g.Count)).ToList();
        var byClient = groups
            .GroupBy(g => g.ClientId, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var counts = g.Select(c => (c.Status, c.Count)).ToList();
                return new LogoutNotificationCounts(g.Key, counts.Sum(c => c.Count),
                    Count(counts, LogoutNotificationStatus.Pending), Count(counts, LogoutNotificationStatus.Delivered), Count(counts, LogoutNotificationStatus.Failed));
            });

        return Results.Ok(new LogoutNotificationSummary(
            all.Sum(c => c.Count),
            new LogoutNotificationStatusCounts(
                Count(all, LogoutNotificationStatus.Pending), Count(all, LogoutNotificationStatus.Delivered), Count(all, LogoutNotificationStatus.Failed)),
            [.. byClient]));
    }

    private static string Name(LogoutNotificationStatus status) => status switch
    {
        LogoutNotificationStatus.Pending => "pending",
        LogoutNotificationStatus.Delivered => "delivered",
        LogoutNotificationStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}

public sealed record LogoutNotificationList(IReadOnlyList<LogoutNotificationView> Items);

/// <summary>One outbox row as an operator sees it: no subject, no session id, no token.</summary>
public sealed record LogoutNotificationView(
    Guid Id,
    string ClientId,
    string Status,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? DeliveredAt,
    int? LastStatusCode,
    string? LastError,
    string Reason);

public sealed record LogoutNotificationSummary(int Total, LogoutNotificationStatusCounts ByStatus, IReadOnlyList<LogoutNotificationCounts> ByClient);

public sealed record LogoutNotificationStatusCounts(int Pending, int Delivered, int Failed);

public sealed record LogoutNotificationCounts(string ClientId, int Total, int Pending, int Delivered, int Failed);
