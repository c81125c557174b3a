using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>
/// Binds a consent answer to the very request the citizen was shown, in this session (CATALOGUE
/// AT-15): the consent form carries a short-lived, data-protected ticket naming the stored request
/// (<c>request_uri</c>) and the session id. Pointing the form at another pending request, or
/// replaying it from another session, is refused.
/// </summary>
public sealed class ConsentTickets(IDataProtectionProvider dataProtection, TimeProvider time)
{
    public const string FieldName = "consent_ticket";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private readonly IDataProtector _protector = dataProtection.CreateProtector("OnePass.ConsentTickets.v1");

    // The issue time is inside the payload and judged with the app's TimeProvider (not the system clock).
    public string Issue(string requestKey, string sessionId) =>
        _protector.Protect($"{time.GetUtcNow().ToUnixTimeSeconds()}|{sessionId}|{requestKey}");

    public bool IsValid(string? ticket, string requestKey, string sessionId)
    {
        if (string.IsNullOrEmpty(ticket) || ticket.Length > 4096)
        {
            return false;
        }

        try
        {
            var parts = _protector.Unprotect(ticket).Split('|', 2);
            return parts.Length == 2 && parts[1] == $"{sessionId}|{requestKey}" &&
                long.TryParse(parts[0], out var issuedAt) &&
                time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(issuedAt) is var age &&
                age >= TimeSpan.FromMinutes(-1) && age <= Lifetime;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
