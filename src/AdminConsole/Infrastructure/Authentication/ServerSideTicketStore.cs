using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Caching.Distributed;

namespace OnePass.AdminConsole.Infrastructure.Authentication;

/// <summary>
/// Keeps each administrator's session (claims and tokens) on the server; the cookie holds only a random key.
/// Why server-side: the session holds an access token for the admin API and a refresh token that can mint new
/// ones for hours. In a cookie they would travel with every request, grow past browser limits, and a stolen
/// cookie could not be revoked; here the console can end a session (sign-out, back-channel logout) by removing
/// it, and a refreshed token is written in one place that every request of the session sees.
/// The store is <see cref="IDistributedCache"/>: in memory by default (one console process); register a Redis
/// <see cref="IDistributedCache"/> to share sessions across several. Entries are encrypted with Data Protection,
/// so a cache shared with other software does not expose the tokens.
/// </summary>
public sealed class ServerSideTicketStore(IDistributedCache cache, IDataProtectionProvider dataProtection, TimeProvider clock) : ITicketStore
{
    /// <summary>The claim that carries the session key on the principal, so that code holding the user can find its session.</summary>
    public const string SessionKeyClaim = "onepass.console.session";

    private const string KeyPrefix = "onepass-admin:session:";
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(8);
    private readonly TicketDataFormat _format = new(dataProtection.CreateProtector("OnePass.AdminConsole.ServerSideTicketStore"));

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var key = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        if (ticket.Principal.Identity is ClaimsIdentity identity && !identity.HasClaim(claim => claim.Type == SessionKeyClaim))
        {
            identity.AddClaim(new Claim(SessionKeyClaim, key));
        }

        await WriteAsync(key, ticket);
        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => WriteAsync(key, ticket);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        var bytes = await cache.GetAsync(KeyPrefix + key);
        return bytes is null ? null : _format.Unprotect(System.Text.Encoding.UTF8.GetString(bytes));
    }

    public Task RemoveAsync(string key) => cache.RemoveAsync(KeyPrefix + key);

    private Task WriteAsync(string key, AuthenticationTicket ticket)
    {
        var expires = ticket.Properties.ExpiresUtc ?? clock.GetUtcNow().Add(DefaultLifetime);
        return cache.SetAsync(KeyPrefix + key, System.Text.Encoding.UTF8.GetBytes(_format.Protect(ticket)),
            new DistributedCacheEntryOptions { AbsoluteExpiration = expires });
    }
}

/// <summary>Hands the DI-built <see cref="ServerSideTicketStore"/> to the cookie handler.</summary>
internal sealed class ConfigureTicketStore(ServerSideTicketStore store) : Microsoft.Extensions.Options.IConfigureNamedOptions<CookieAuthenticationOptions>
{
    public void Configure(string? name, CookieAuthenticationOptions options)
    {
        if (name == CookieAuthenticationDefaults.AuthenticationScheme)
        {
            options.SessionStore = store;
        }
    }

    public void Configure(CookieAuthenticationOptions options) => Configure(Microsoft.Extensions.Options.Options.DefaultName, options);
}
