using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Data;

namespace OnePass.IdentityProvider.Features.AdminApi.Audit;

/// <summary>
/// How long audit rows (sign-in events and administration changes) are kept: a run-time setting in
/// <see cref="AdminSetting"/> shared by every node, changed through the admin API with optimistic
/// concurrency and audited as <c>setting.update</c>. Without a row the default applies.
/// </summary>
public static class AuditRetention
{
    public const string SettingName = "audit.retention.days";
    public const int DefaultDays = 400;
    public const int MinDays = 30;
    public const int MaxDays = 3650;

    /// <summary>The <c>version</c> of the setting while no administrator has changed it (no row yet).</summary>
    public static readonly string InitialVersion = Guid.Empty.ToString("N");

    private static readonly JsonSerializerOptions BodyOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict, // "60" is not a number of days
    };

    public static RouteGroupBuilder Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/audit/retention", GetAsync)
            .WithName("GetAuditRetention")
            .WithSummary("How long audit rows are kept")
            .WithDescription($"days: sign-in events and administration changes older than this are deleted by an hourly sweep on every node (default {DefaultDays}).")
            .WithTags("Audit")
            .Produces<RetentionView>()
            .Produces<AdminApiError>(StatusCodes.Status400BadRequest);
        admin.MapPut("/audit/retention", PutAsync)
            .WithName("SetAuditRetention")
            .WithSummary("Change how long audit rows are kept")
            .WithDescription($"Body {{\"days\", \"version\"}}: days {MinDays}–{MaxDays}; version as last read (409 when it changed meanwhile). Audited as setting.update.")
            .WithTags("Audit")
            .Accepts<RetentionUpdate>("application/json")
            .Produces<RetentionView>()
            .Produces<AdminApiError>(StatusCodes.Status400BadRequest)
            .Produces<AdminApiError>(StatusCodes.Status409Conflict);
        return admin;
    }

    /// <summary>The retention in force and its version.</summary>
    public static async Task<RetentionView> ReadAsync(OnePassDbContext db, CancellationToken cancellationToken)
    {
        var row = await db.AdminSettings.AsNoTracking().SingleOrDefaultAsync(s => s.Name == SettingName, cancellationToken);
        return row is null ? new RetentionView(DefaultDays, InitialVersion) : new RetentionView(Days(row.Value), row.Version.ToString("N"));
    }

    /// <summary>GET /api/admin/audit/retention</summary>
    public static async Task<IResult> GetAsync(HttpRequest request, OnePassDbContext db, CancellationToken cancellationToken)
    {
        if (AdminApiQuery.Read(request).Error is { } error)
        {
            return error;
        }

        return Results.Ok(await ReadAsync(db, cancellationToken));
    }

    /// <summary>PUT /api/admin/audit/retention</summary>
    public static async Task<IResult> PutAsync(HttpContext context, OnePassDbContext db, AdminChangeLog changes, CancellationToken cancellationToken)
    {
        if (AdminApiQuery.Read(context.Request).Error is { } error)
        {
            return error;
        }

        if (!context.Request.HasJsonContentType())
        {
            return AdminApiError.InvalidRequest("The body must be JSON (Content-Type: application/json).");
        }

        RetentionUpdate? update;
        try
        {
            update = await context.Request.ReadFromJsonAsync<RetentionUpdate>(BodyOptions, cancellationToken);
        }
        catch (JsonException exception)
        {
            return AdminApiError.InvalidRequest("The body is not valid: " + (exception.Path is { } path ? $"at {path}." : "malformed JSON."));
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (update?.Days is not { } days || days is < MinDays or > MaxDays)
        {
            errors["days"] = [$"Retention must be a whole number of days from {MinDays} to {MaxDays}."];
        }

        if (string.IsNullOrEmpty(update?.Version))
        {
            errors["version"] = ["The version of the setting as last read is required."];
        }

        if (errors.Count > 0)
        {
            return AdminApiError.Validation(errors);
        }

        var row = await db.AdminSettings.SingleOrDefaultAsync(s => s.Name == SettingName, cancellationToken);
        var current = row is null ? new RetentionView(DefaultDays, InitialVersion) : new RetentionView(Days(row.Value), row.Version.ToString("N"));
        if (!string.Equals(current.Version, update!.Version, StringComparison.OrdinalIgnoreCase))
        {
            return Stale();
        }

        var value = update.Days!.Value.ToString(CultureInfo.InvariantCulture);
        if (row is null)
        {
            row = new AdminSetting { Name = SettingName, Value = value, Version = Guid.NewGuid() };
            db.AdminSettings.Add(row);
        }
        else
        {
            row.Value = value;
            row.Version = Guid.NewGuid(); // the concurrency token: the UPDATE matches only the version read above
        }

        changes.Add(context, "setting.update", "setting", SettingName, new { days = current.Days }, new { days = update.Days });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // DbUpdateConcurrencyException: changed since it was read; otherwise another node created the row first.
            return Stale();
        }

        return Results.Ok(new RetentionView(update.Days.Value, row.Version.ToString("N")));
    }

    private static int Days(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is >= MinDays and <= MaxDays ? days : DefaultDays;

    private static IResult Stale() =>
        AdminApiError.Conflict("The retention setting changed since it was read; read it again and retry.");
}

/// <summary>The retention setting as read.</summary>
public sealed record RetentionView(int Days, string Version);

/// <summary>The body of PUT /api/admin/audit/retention.</summary>
public sealed record RetentionUpdate(int? Days, string? Version);

/// <summary>Options of the audit sweep, section <c>OnePass:Audit</c>.</summary>
public sealed class AuditOptions
{
    public const string SectionName = "OnePass:Audit";

    /// <summary>How often each node deletes audit rows older than the retention.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Deletes sign-in events and administration changes older than the retention, every
/// <see cref="AuditOptions.SweepInterval"/>. Every node runs it: a plain <c>DELETE … WHERE Time &lt; cutoff</c>
/// is idempotent, so two nodes sweeping at once only find less to delete.
/// </summary>
public sealed class AuditRetentionSweeper(
    IServiceScopeFactory scopes, IOptions<AuditOptions> options, TimeProvider time, ILogger<AuditRetentionSweeper> logger)
    : BackgroundService
{
    public async Task<(int AuthEvents, int AdminChanges)> SweepOnceAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnePassDbContext>();
        var retention = await AuditRetention.ReadAsync(db, cancellationToken);
        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(retention.Days); // UTC, as every row is written
        var events = await db.AuthEvents.Where(e => e.Time < cutoff).ExecuteDeleteAsync(cancellationToken);
        var changes = await db.AdminChanges.Where(c => c.Time < cutoff).ExecuteDeleteAsync(cancellationToken);
        if (events + changes > 0)
        {
            logger.LogInformation("Deleted {Events} sign-in events and {Changes} administration changes older than {Days} days.", events, changes, retention.Days);
        }

        return (events, changes);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The database may be briefly away (CATALOGUE FT-06): the next run tries again.
                logger.LogWarning(exception, "Sweeping old audit rows failed; the next run tries again.");
            }
        }
    }
}
