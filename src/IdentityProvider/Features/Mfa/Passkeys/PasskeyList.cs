using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Sessions;

namespace OnePass.IdentityProvider.Features.Mfa.Passkeys;

/// <summary>The signed-in citizen's passkeys, for the management partial on <c>/account/security</c>.</summary>
public sealed class PasskeyList(OnePassDbContext db)
{
    public async Task<IReadOnlyList<PasskeySummary>> ForCurrentUserAsync(HttpContext context)
    {
        if (await SessionSignIn.CurrentAsync(context) is not { } current)
        {
            return [];
        }

        var passkeys = await db.Passkeys
            .Where(p => p.UserId == current.UserId)
            .Select(p => new PasskeySummary(p.Id, p.Name, p.CreatedAt, p.LastUsedAt))
            .ToListAsync(context.RequestAborted);

        // Sorted here: SQLite cannot order by DateTimeOffset.
        return [.. passkeys.OrderBy(p => p.CreatedAt)];
    }
}

public sealed record PasskeySummary(Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);
