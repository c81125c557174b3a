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

    private readonly ITimeLimitedDataProtector _protector =
        dataProtection.CreateProtector("OnePass.ConsentTickets.v1").ToTimeLimitedDataProtector();

    public string Issue(string requestKey, string sessionId) =>
        _protector.Protect($"{sessionId}|{requestKey}", time.GetUtcNow() + Lifetime);

    public bool IsValid(string? ticket, string requestKey, string sessionId)
    {
        if (string.IsNullOrEmpty(ticket) || ticket.Length > 4096)
        {
            return false;
        }

        try
        {
            return _protector.Unprotect(ticket) == $"{sessionId}|{requestKey}";
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
