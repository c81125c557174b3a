using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using OnePass.IdentityProvider.Infrastructure.State;

namespace OnePass.IdentityProvider.Features.Mfa;

/// <summary>
/// A sign-in in progress: the first factor is done (or the session is being stepped up), the second
/// is still to come. Kept server-side in <see cref="IEphemeralState"/> for five minutes under a random
/// key, which a cookie scoped to <c>/account</c> carries; nothing signs the citizen in until the
/// second step completes, so going to <c>/connect/authorize</c> meanwhile leads back here, never to a
/// code (CATALOGUE AT-17). At most five wrong answers, then the sign-in starts over.
/// </summary>
public sealed class PendingSignIns(IEphemeralState state)
{
    public const int MaxAttempts = 5;
    private const string CookieName = "onepass.pending";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    public async Task StartAsync(HttpContext context, PendingSignIn pending)
    {
        var key = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        await state.SetAsync(StateKey(key), JsonSerializer.SerializeToUtf8Bytes(pending), Lifetime, context.RequestAborted);
        context.Response.Cookies.Append(CookieName, key, new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            Path = "/account",
            MaxAge = Lifetime,
        });
    }

    /// <summary>The sign-in this browser has in progress, or null (none, expired, or already finished).</summary>
    public async Task<PendingSignIn?> CurrentAsync(HttpContext context)
    {
        if (Key(context) is not { } key || await state.PeekAsync(StateKey(key), context.RequestAborted) is not { } bytes)
        {
            return null;
        }

        return JsonSerializer.Deserialize<PendingSignIn>(bytes);
    }

    /// <summary>A wrong answer: counted; after <see cref="MaxAttempts"/> the pending sign-in is gone.</summary>
    public async Task<bool> RecordFailureAsync(HttpContext context, PendingSignIn pending)
    {
        if (Key(context) is not { } key)
        {
            return false;
        }

        var next = pending with { Attempts = pending.Attempts + 1 };
        if (next.Attempts >= MaxAttempts)
        {
            await FinishAsync(context);
            return false;
        }

        await state.SetAsync(StateKey(key), JsonSerializer.SerializeToUtf8Bytes(next), Lifetime, context.RequestAborted);
        return true;
    }

    /// <summary>Takes the pending sign-in (single use) and removes the cookie; null when it was already taken.</summary>
    public async Task<PendingSignIn?> FinishAsync(HttpContext context)
    {
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/account" });
        if (Key(context) is not { } key || await state.TakeAsync(StateKey(key), CancellationToken.None) is not { } bytes)
        {
            return null;
        }

        return JsonSerializer.Deserialize<PendingSignIn>(bytes);
    }

    private static string? Key(HttpContext context) =>
        context.Request.Cookies.TryGetValue(CookieName, out var key) && key is { Length: > 0 and <= 64 } && Base64Url.IsValid(key) ? key : null;

    private static string StateKey(string key) => "pending-sign-in:" + key;
}

/// <summary>
/// What a pending sign-in knows: who, which methods are already done (<c>pwd</c>, or the current
/// session's), the level the sign-in must reach, and where to go afterwards.
/// </summary>
public sealed record PendingSignIn(Guid UserId, IReadOnlyList<string> MethodsDone, int RequiredRank, string ReturnUrl, int Attempts = 0);
