using System.Text.Json;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace OnePass.AdminConsole.Infrastructure.Authentication;

/// <summary>
/// Single logout: OnePass tells the console that an administrator's OnePass session ended (sign-out elsewhere,
/// an administrator ended it, the account was disabled). The request carries no browser cookie, so the ended
/// sid/sub is recorded and the cookie handler refuses, and removes from the server-side store, every console
/// session of that sid/sub at its next request (OnValidatePrincipal in <see cref="ConsoleAuthentication"/>).
/// </summary>
public static class BackChannelLogout
{
    public const string Path = "/backchannel-logout";
    private const string BackChannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout";
    private static readonly JsonWebTokenHandler Tokens = new();

    public static IEndpointRouteBuilder MapBackChannelLogout(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, ReceiveLogoutTokenAsync).AllowAnonymous().DisableAntiforgery();
        return endpoints;
    }

    /// <summary>
    /// Back-Channel Logout 1.0 §2.5: OnePass POSTs <c>logout_token=&lt;JWT&gt;</c> server to server; the token is
    /// checked as §2.6 says; 200 when the sessions are ended, 400 otherwise (§2.8).
    /// </summary>
    private static async Task<IResult> ReceiveLogoutTokenAsync(HttpContext context, ILogoutStore store, IOptionsMonitor<OpenIdConnectOptions> oidc)
    {
        context.Response.Headers.CacheControl = "no-store";
        var logoutToken = context.Request.HasFormContentType
            ? (await context.Request.ReadFormAsync(context.RequestAborted))["logout_token"].ToString()
            : string.Empty;
        if (string.IsNullOrEmpty(logoutToken))
        {
            return Refuse("The form field logout_token is missing.");
        }

        // The issuer and signing keys (JWKS) the OpenID Connect handler uses for ID tokens.
        var options = oidc.Get(OpenIdConnectDefaults.AuthenticationScheme);
        var metadata = await options.ConfigurationManager!.GetConfigurationAsync(context.RequestAborted);
        var result = await Tokens.ValidateTokenAsync(logoutToken, new TokenValidationParameters
        {
            // §2.4: typ logout+jwt, so that no other JWT from OnePass (an ID token) passes as a logout token.
            ValidTypes = ["logout+jwt"],
            ValidIssuer = metadata.Issuer,
            ValidAudience = options.ClientId,
            IssuerSigningKeys = metadata.SigningKeys,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken token)
        {
            if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
            {
                // A key not seen yet: OnePass rotated its keys. Reload JWKS; OnePass retries the delivery.
                options.ConfigurationManager.RequestRefresh();
            }

            return Refuse("The logout token's signature, type, issuer, audience or lifetime is not valid.");
        }

        // §2.4 and §2.6: the claims a JWT library does not check.
        var sid = token.TryGetPayloadValue<string>("sid", out var s) && s.Length > 0 ? s : null;
        var sub = token.TryGetPayloadValue<string>("sub", out var u) && u.Length > 0 ? u : null;
        var error =
            !token.TryGetPayloadValue<long>("iat", out _) ? "The logout token has no iat." :
            !IsBackChannelLogoutEvent(token) ? $"The logout token's events claim has no {BackChannelLogoutEvent} object." :
            sid is null && sub is null ? "The logout token has neither sid nor sub." :
            token.TryGetClaim("nonce", out _) ? "A logout token must not contain a nonce." :
            !token.TryGetPayloadValue<string>("jti", out var jti) || jti.Length == 0 ? "The logout token has no jti." :
            // Last, so that a token refused above does not use up its jti. Remembered until the token expires.
            !store.TryUseTokenId(jti, token.ValidTo.AddSeconds(30)) ? "This logout token has already been used." :
            null;
        if (error is not null)
        {
            return Refuse(error);
        }

        // §2.7: with a sid, the console sessions of that OnePass session; with a sub alone, all of the administrator's.
        store.EndSessions(sid, sub);
        return Results.Ok();
    }

    private static bool IsBackChannelLogoutEvent(JsonWebToken token)
    {
        if (!token.TryGetClaim("events", out var claim) || claim.ValueType != JsonClaimValueTypes.Json)
        {
            return false;
        }

        using var events = JsonDocument.Parse(claim.Value);
        return events.RootElement.TryGetProperty(BackChannelLogoutEvent, out var member) && member.ValueKind == JsonValueKind.Object;
    }

    private static IResult Refuse(string description) => Results.Json(
        new Dictionary<string, string> { ["error"] = "invalid_request", ["error_description"] = description },
        statusCode: StatusCodes.Status400BadRequest);
}

/// <summary>
/// OnePass sessions that have ended, and the logout tokens already used. In this process's memory: one console
/// process. With several, replace it with one over Redis (<c>SET … NX EX</c> keeps the replay check atomic).
/// </summary>
public interface ILogoutStore
{
    /// <summary>Records that OnePass ended the session <paramref name="sid"/> or, without a sid, every session of <paramref name="subject"/>.</summary>
    void EndSessions(string? sid, string? subject);

    /// <summary>Whether the OnePass session or user of a console session issued at <paramref name="issuedAt"/> has been ended since.</summary>
    bool IsEnded(string? sid, string? subject, DateTimeOffset issuedAt);

    /// <summary>Remembers a logout token's jti until <paramref name="expiresAt"/>; false when it was already seen (a replay).</summary>
    bool TryUseTokenId(string jti, DateTimeOffset expiresAt);
}

/// <summary>An ended session is remembered as long as a console session can live; after that every older session has expired anyway.</summary>
public sealed class InMemoryLogoutStore(IMemoryCache cache, IOptionsMonitor<CookieAuthenticationOptions> cookies, TimeProvider clock) : ILogoutStore
{
    private readonly Lock _gate = new();

    public void EndSessions(string? sid, string? subject)
    {
        var key = sid is not null ? $"logout:sid:{sid}" : $"logout:sub:{subject}";
        var lifetime = cookies.Get(CookieAuthenticationDefaults.AuthenticationScheme).ExpireTimeSpan;
        cache.Set(key, clock.GetUtcNow(), lifetime);
    }

    public bool IsEnded(string? sid, string? subject, DateTimeOffset issuedAt) =>
        (sid is not null && cache.TryGetValue($"logout:sid:{sid}", out DateTimeOffset sessionEnded) && sessionEnded >= issuedAt) ||
        (subject is not null && cache.TryGetValue($"logout:sub:{subject}", out DateTimeOffset userEnded) && userEnded >= issuedAt);

    public bool TryUseTokenId(string jti, DateTimeOffset expiresAt)
    {
        lock (_gate)
        {
            if (cache.TryGetValue($"logout:jti:{jti}", out _))
            {
                return false;
            }

            cache.Set($"logout:jti:{jti}", true, expiresAt);
            return true;
        }
    }
}
