using System.Text.Json;
using System.Text.Json.Nodes;
using OnePass.IdentityProvider.Data;

namespace OnePass.IdentityProvider.Features.AdminApi;

/// <summary>
/// The audit trail of administration (issue 5: "every change is audited with who, what, before and
/// after"). <see cref="Add"/> only stages the row on the request's <see cref="OnePassDbContext"/>, so it is
/// saved by the same <c>SaveChanges</c> (or transaction) as the change itself: there is never a change
/// without its row, nor a row for a change that failed. Members named like secrets are redacted.
/// </summary>
public sealed class AdminChangeLog(OnePassDbContext db, TimeProvider time)
{
    private const string Redacted = "[redacted]";

    private static readonly string[] SecretNames = ["secret", "password", "hash", "token"];

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>Stages one change row; the caller's save writes it with the change.</summary>
    /// <param name="action"><c>{target}.{verb}</c>, e.g. <c>agency.update</c>.</param>
    /// <param name="before">The record before (null for a creation): any JSON-serialisable view.</param>
    /// <param name="after">The record after (null for a deletion).</param>
    public AdminChange Add(HttpContext context, string action, string targetType, string targetId, object? before, object? after)
    {
        var caller = AdminCaller.Of(context);
        var change = new AdminChange
        {
            Id = Guid.NewGuid(),
            Time = time.GetUtcNow(),
            ActorUserId = caller.UserId,
            ActorName = caller.UserName,
            Action = action,
            TargetType = targetType,
            TargetId = targetId,
            Before = Serialize(before),
            After = Serialize(after),
            IpAddress = context.Connection.RemoteIpAddress?.ToString(),
        };
        db.AdminChanges.Add(change);
        return change;
    }

    /// <summary>Stages and saves at once, for changes whose own write is already committed by a manager.</summary>
    public async Task RecordAsync(
        HttpContext context, string action, string targetType, string targetId, object? before, object? after, CancellationToken cancellationToken)
    {
        Add(context, action, targetType, targetId, before, after);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The JSON stored for a record, with every member whose name mentions a secret redacted.</summary>
    public static string? Serialize(object? record)
    {
        if (record is null)
        {
            return null;
        }

        var node = JsonSerializer.SerializeToNode(record, record.GetType(), JsonOptions);
        Redact(node);
        return node?.ToJsonString();
    }

    private static void Redact(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject json:
                foreach (var (name, value) in json.ToList())
                {
                    if (value is not null && value.GetValueKind() is JsonValueKind.String &&
                        SecretNames.Any(secret => name.Contains(secret, StringComparison.OrdinalIgnoreCase)))
                    {
                        json[name] = Redacted;
                    }
                    else
                    {
                        Redact(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Redact(item);
                }

                break;
        }
    }
}
