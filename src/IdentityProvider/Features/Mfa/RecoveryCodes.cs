using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;

namespace OnePass.IdentityProvider.Features.Mfa;

/// <summary>
/// Ten single-use recovery codes, shown once when an authenticator app is set up and stored only as a
/// keyed hash (HMAC under the server secret, so a copy of the database alone cannot be brute-forced).
/// Redeeming one is a conditional UPDATE: a code works once, even when two nodes race.
/// </summary>
public sealed class RecoveryCodes(OnePassDbContext db, SubjectIdentifiers secrets, TimeProvider time)
{
    public const int Count = 10;
    private const string Alphabet = "abcdefghjkmnpqrstuvwxyz23456789"; // no 0/o, 1/l/i

    /// <summary>Replaces the user's codes with ten new ones and returns them (the only time they are seen).</summary>
    public async Task<IReadOnlyList<string>> RegenerateAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var codes = Enumerable.Range(0, Count).Select(_ => NewCode()).ToList();
        await db.RecoveryCodes.Where(code => code.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        var now = time.GetUtcNow();
        db.RecoveryCodes.AddRange(codes.Select(code => new RecoveryCode
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            CodeHash = Hash(userId, code),
            CreatedAt = now,
        }));
        await db.SaveChangesAsync(cancellationToken);
        return codes;
    }

    public Task<int> RemainingAsync(Guid userId, CancellationToken cancellationToken = default) =>
        db.RecoveryCodes.CountAsync(code => code.UserId == userId && code.UsedAt == null, cancellationToken);

    /// <summary>True when the code is one of the user's unused codes; it is used up by this call.</summary>
    public async Task<bool> RedeemAsync(Guid userId, string input, CancellationToken cancellationToken = default)
    {
        if (Normalize(input) is not { } code)
        {
            return false;
        }

        var hash = Hash(userId, code);
        var now = time.GetUtcNow();
        return await db.RecoveryCodes
            .Where(row => row.UserId == userId && row.CodeHash == hash && row.UsedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(row => row.UsedAt, now), cancellationToken) == 1;
    }

    public Task RemoveAllAsync(Guid userId, CancellationToken cancellationToken = default) =>
        db.RecoveryCodes.Where(code => code.UserId == userId).ExecuteDeleteAsync(cancellationToken);

    /// <summary>Recovery codes look like <c>abcde-fghjk</c>; case, spaces and the dash are forgiven.</summary>
    public static string? Normalize(string? input)
    {
        if (input is null || input.Length > 32)
        {
            return null;
        }

        var letters = new string([.. input.Where(c => !char.IsWhiteSpace(c) && c != '-').Select(char.ToLowerInvariant)]);
        return letters.Length == 10 && letters.All(c => Alphabet.Contains(c, StringComparison.Ordinal))
            ? $"{letters[..5]}-{letters[5..]}"
            : null;
    }

    private static string NewCode()
    {
        var chars = new char[10];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return $"{new string(chars, 0, 5)}-{new string(chars, 5, 5)}";
    }

    private string Hash(Guid userId, string code) => secrets.KeyedHash("recovery-code", $"{userId:N}\n{code}");
}
