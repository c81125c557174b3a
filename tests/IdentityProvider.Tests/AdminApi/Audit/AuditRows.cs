using OnePass.IdentityProvider.Data;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.Audit;

/// <summary>Audit rows written straight into a host's database, as the sign-in code and the change log would.</summary>
public static class AuditRows
{
    public static AuthEvent SignIn(DateTimeOffset time, Guid? userId, string method = "pwd", string outcome = "success",
        string? clientId = null, string? ipAddress = "192.0.2.10", string? userAgent = "TestAgent/1.0") => new()
    {
        Id = Guid.NewGuid(),
        Time = time,
        UserId = userId,
        Method = method,
        Outcome = outcome,
        ClientId = clientId,
        IpAddress = ipAddress,
        UserAgent = userAgent,
    };

    public static AdminChange Change(DateTimeOffset time, string targetId, string action = "agency.update", string targetType = "agency",
        Guid? actorId = null, string actorName = "admin1", string? before = "{\"displayName\":\"Old\"}", string? after = "{\"displayName\":\"New\"}") => new()
    {
        Id = Guid.NewGuid(),
        Time = time,
        ActorUserId = actorId,
        ActorName = actorName,
        Action = action,
        TargetType = targetType,
        TargetId = targetId,
        Before = before,
        After = after,
        IpAddress = "192.0.2.20",
    };

    public static Task AddAsync(OnePassHost host, params AuthEvent[] events) => host.WithDatabaseAsync(async db =>
    {
        db.AuthEvents.AddRange(events);
        return await db.SaveChangesAsync();
    });

    public static Task AddAsync(OnePassHost host, params AdminChange[] changes) => host.WithDatabaseAsync(async db =>
    {
        db.AdminChanges.AddRange(changes);
        return await db.SaveChangesAsync();
    });

    /// <summary>The id of a seeded user.</summary>
    public static Task<Guid> UserIdAsync(OnePassHost host, string username) => host.WithDatabaseAsync(db =>
        Task.FromResult(db.Users.Single(user => user.UserName == username).Id));
}
