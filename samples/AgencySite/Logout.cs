using System.Text.Json;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace OnePass.Samples.AgencySite;

/// <summary>
/// Single logout: how OnePass tells this site that the citizen signed out of OnePass (here, at another
/// agency, or because OnePass ended the session). Both channels only record the OnePass session as
/// ended; the cookie handler then refuses the local session at its next request (OnValidatePrincipal in
/// <see cref="Program"/>), because neither request carries the citizen's cookie reliably.
/// </summary>
public static class LogoutEndpoints
{
    private const string BackChannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout";
    private static readonly JsonWebTokenHandler Tokens = new();

    public static void MapOnePassLogout(this WebApplication app)
    {
        app.MapPost("/backchannel-logout", ReceiveLogoutTokenAsync);
        app.MapGet("/frontchannel-logout", ReceiveFrontChannelLogoutAsync);
    }

    /// <summary>
    /// Back-Channel Logout 1.0 §2.5: OnePass POSTs <c>logout_token=&lt;JWT&gt;</c> server to server.
    /// The token is checked as §2.6 says; 200 when the session is ended, 400 otherwise (§2.8).
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

        // The same OnePass metadata (issuer, signing keys from JWKS) that the OpenID Connect handler uses.
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
                // A key we have not seen: OnePass rotated keys. Reload JWKS; OnePass retries the delivery.
                options.ConfigurationManager.RequestRefresh();
            }

            return Refuse($"The logout token's signature, type, issuer, audience or lifetime is not valid ({result.Exception?.GetType().Name}).");
        }

        // §2.4 and §2.6: the claims a JWT library does not know about.
        var sid = token.TryGetPayloadValue<string>("sid", out var s) && s.Length > 0 ? s : null;
        var sub = token.TryGetPayloadValue<string>("sub", out var u) && u.Length > 0 ? u : null;
        var error =
            !token.TryGetPayloadValue<long>("iat", out _) ? "The logout token has no iat." :
            !IsBackChannelLogoutEvent(token) ? $"The logout token's events claim has no {BackChannelLogoutEvent} object." :
            sid is null && sub is null ? "The logout token has neither sid nor sub." :
            token.TryGetClaim("nonce", out _) ? "A logout token must not contain a nonce." :
            !token.TryGetPayloadValue<string>("jti", out var jti) || jti.Length == 0 ? "The logout token has no jti." :
            // Last, so that a token refused above does not use up its jti. Kept until the token expires.
            !await store.TryUseTokenIdAsync(jti, token.ValidTo.AddSeconds(30)) ? "This logout token has already been used." :
            null;
        if (error is not null)
        {
            return Refuse(error);
        }

        // §2.7: with a sid, that OnePass session only; with a sub alone, every session of the citizen.
        await store.EndAsync(sid, sub);
        return Results.Ok();
    }

    /// <summary>
    /// Front-Channel Logout 1.0 §2: OnePass's sign-out page loads this in an invisible iframe with its
    /// issuer and this site's <c>sid</c>. Third-party cookie blocking may keep the citizen's cookie out
    /// of the iframe, so the sid alone names the session (an unguessable value only OnePass, this site
    /// and the citizen's browser know).
    /// </summary>
    private static async Task<IResult> ReceiveFrontChannelLogoutAsync(
        HttpContext context, string? iss, string? sid, ILogoutStore store, IOptionsMonitor<OpenIdConnectOptions> oidc)
    {
        context.Response.Headers.CacheControl = "no-cache, no-store";
        var options = oidc.Get(OpenIdConnectDefaults.AuthenticationScheme);
        var metadata = await options.ConfigurationManager!.GetConfigurationAsync(context.RequestAborted);
        if (!string.Equals(iss, metadata.Issuer, StringComparison.Ordinal) || string.IsNullOrEmpty(sid))
        {
            return Refuse("iss must be the OnePass issuer and sid must be given.");
        }

        await store.EndAsync(sid, subject: null);

        // Only OnePass may frame this page.
        context.Response.Headers.ContentSecurityPolicy = $"frame-ancestors {new Uri(metadata.Issuer).GetLeftPart(UriPartial.Authority)}";
        return Results.Content("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Signed out</title></head>" +
            "<body><p>Signed out.</p></body></html>", "text/html; charset=utf-8");
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
/// OnePass sessions that have ended, and the logout tokens already used. Register your own implementation
/// when the site runs on more than one server: the in-memory one below only sees what reached its own
/// process. Over Redis: <c>SET key ended-at EX seconds</c> for ended sessions, <c>SET jti 1 NX EX seconds</c>
/// for tokens (NX makes the replay check atomic across servers).
/// </summary>
public interface ILogoutStore
{
    /// <summary>Records that OnePass ended the session <paramref name="sid"/> or, without a sid, every session of the citizen <paramref name="subject"/>.</summary>
    Task EndAsync(string? sid, string? subject);

    /// <summary>Whether the OnePass session (sid) or citizen (sub) of a local session issued at <paramref name="issuedAt"/> has been ended since.</summary>
    Task<bool> IsEndedAsync(string? sid, string? subject, DateTimeOffset issuedAt);

    /// <summary>Remembers a logout token's jti until <paramref name="expiresAt"/>; false when it was already seen (a replay).</summary>
    Task<bool> TryUseTokenIdAsync(string jti, DateTimeOffset expiresAt);
}

/// <summary>
/// <see cref="ILogoutStore"/> in this process's memory. An ended session is remembered as long as a local
/// cookie can live (the cookie's ExpireTimeSpan), after which any cookie issued before the end has expired.
/// </summary>
public sealed class InMemoryLogoutStore(IMemoryCache cache, IOptionsMonitor<CookieAuthenticationOptions> cookies, TimeProvider clock) : ILogoutStore
{
    private readonly Lock _gate = new();

    public Task EndAsync(string? sid, string? subject)
    {
        var key = sid is not null ? $"logout:sid:{sid}" : $"logout:sub:{subject}";
        var lifetime = cookies.Get(CookieAuthenticationDefaults.AuthenticationScheme).ExpireTimeSpan;
        cache.Set(key, clock.GetUtcNow(), lifetime);
        return Task.CompletedTask;
    }

    public Task<bool> IsEndedAsync(string? sid, string? subject, DateTimeOffset issuedAt) => Task.FromResult(
        (sid is not null && cache.TryGetValue($"logout:sid:{sid}", out DateTimeOffset sessionEnded) && sessionEnded >= issuedAt) ||
        (subject is not null && cache.TryGetValue($"logout:sub:{subject}", out DateTimeOffset citizenEnded) && citizenEnded >= issuedAt));

    public Task<bool> TryUseTokenIdAsync(string jti, DateTimeOffset expiresAt)
    {
        lock (_gate)
        {
            if (cache.TryGetValue($"logout:jti:{jti}", out _))
            {
                return Task.FromResult(false);
            }

            cache.Set($"logout:jti:{jti}", true, expiresAt);
            return Task.FromResult(true);
        }
    }
}
