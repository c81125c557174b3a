using OnePass.IdentityProvider.Data;

namespace OnePass.IdentityProvider.Features.Mfa;

/// <summary>Writes authentication events (issue 4, "Audit"): method, outcome, agency, IP, user agent — never a secret.</summary>
public sealed class AuthAudit(OnePassDbContext db, TimeProvider time)
{
    public const string Success = "success";
    public const string Failure = "failure";

    public async Task RecordAsync(HttpContext context, Guid? userId, string method, string outcome, string? clientId = null)
    {
        var userAgent = context.Request.Headers.UserAgent.ToString();
        db.AuthEvents.Add(new AuthEvent
        {
            Id = Guid.NewGuid(),
            Time = time.GetUtcNow(),
            UserId = userId,
            Method = method,
            Outcome = outcome,
            ClientId = clientId is { Length: > 100 } ? clientId[..100] : clientId,
            IpAddress = context.Connection.RemoteIpAddress?.ToString(),
            UserAgent = userAgent.Length > 256 ? userAgent[..256] : userAgent,
        });

        // Not the request's token: a failure must be recorded even when the browser gave up.
        await db.SaveChangesAsync(CancellationToken.None);
    }
}
