using OnePass.IdentityProvider.Data;

namespace OnePass.IdentityProvider.Features.Mfa;

/// <summary>Writes authentication events (issue 4, "Audit"): method, outcome, agency, IP, user agent — never a secret.</summary>
public sealed class AuthAudit(OnePassDbContext db, TimeProvider time, Infrastructure.Telemetry.OnePassMetrics metrics)
{
    public const string Success = "success";
    public const string Failure = "failure";

    /// <summary>
    /// Method of the event written when an agency gets a code from an existing session without a new factor
    /// (issue 5 statistics: such a visit is a sign-in too, and the factors' events do not name the agency).
    /// </summary>
    public const string SessionReused = "sso";

    /// <param name="clientId">The agency the sign-in is for; when null, read from the request's <c>ReturnUrl</c>.</param>
    public async Task RecordAsync(HttpContext context, Guid? userId, string method, string outcome, string? clientId = null)
    {
        clientId ??= AgencyOf(context.Request.Query["ReturnUrl"]);
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
        metrics.SignIn(method, outcome);
    }

    /// <summary>
    /// The agency a sign-in is for: the <c>client_id</c> of the authorization request its return URL resumes
    /// (per-agency statistics, issue 5); null for a sign-in to the account pages.
    /// </summary>
    public static string? AgencyOf(string? returnUrl)
    {
        var query = returnUrl?.IndexOf('?', StringComparison.Ordinal) is { } start and >= 0 ? returnUrl[start..] : null;
        return query is null ? null
            : Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query).TryGetValue("client_id", out var clientId) && clientId.Count == 1
                ? clientId[0]
                : null;
    }
}
