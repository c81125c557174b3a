using Microsoft.AspNetCore.DataProtection;

namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>
/// Avoids the login loop of <c>prompt=login</c> and <c>max_age</c> without rewriting the request:
/// when the authorize endpoint sends the browser to sign in again, it records which stored request
/// (its <c>request_uri</c>) asked and when; coming back, a sign-in newer than that record satisfies
/// that request, and only that one. The record is a short-lived, data-protected, HttpOnly cookie.
/// </summary>
public sealed class ReauthenticationMarker(IDataProtectionProvider dataProtection, TimeProvider time)
{
    private const string CookieName = "onepass.reauth";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private readonly IDataProtector _protector = dataProtection.CreateProtector("OnePass.Reauthentication.v1");

    public void Set(HttpContext context, string requestKey)
    {
        var payload = $"{time.GetUtcNow().ToUnixTimeSeconds()}|{requestKey}";
        context.Response.Cookies.Append(CookieName, _protector.Protect(payload), new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            Path = "/connect/authorize",
            MaxAge = Lifetime,
        });
    }

    /// <summary>True when this request already sent the user to sign in and they did so afterwards.</summary>
    public bool IsSatisfied(HttpContext context, string requestKey, DateTimeOffset authTime)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var value))
        {
            return false;
        }

        try
        {
            var parts = _protector.Unprotect(value).Split('|', 2);
            return parts.Length == 2 && parts[1] == requestKey &&
                long.TryParse(parts[0], out var challengedAt) &&
                time.GetUtcNow().ToUnixTimeSeconds() - challengedAt <= (long)Lifetime.TotalSeconds &&
                authTime.ToUnixTimeSeconds() >= challengedAt;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    public static void Clear(HttpContext context) =>
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/connect/authorize" });
}
