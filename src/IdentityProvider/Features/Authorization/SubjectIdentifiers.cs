using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;

namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>
/// Computes the <c>sub</c> an agency sees. Pairwise (the default, OpenID Connect Core §8.1):
/// HMAC-SHA256 of the sector and the user id under a server secret kept in the database, so it is
/// stable per user and sector, different across sectors, and the same on every node and after
/// restarts, while two agencies cannot correlate a citizen by <c>sub</c> (CATALOGUE AT-37).
/// </summary>
public sealed class SubjectIdentifiers
{
    public const string SecretName = "pairwise-subject-key";

    private byte[]? _key;

    public bool IsLoaded => _key is not null;

    /// <summary>
    /// Names this database without revealing anything (a one-way function of its secret): nodes sharing
    /// a Redis compare it to find one pointed at the wrong database (see the readiness check).
    /// </summary>
    public string DatabaseFingerprint => Base64UrlEncode(HMACSHA256.HashData(
        _key ?? throw new InvalidOperationException("The pairwise subject key has not been loaded."),
        Encoding.UTF8.GetBytes("database-fingerprint")).AsSpan(0, 16).ToArray());

    public string For(Guid userId, AgencySettings agency)
    {
        if (!agency.IsPairwise)
        {
            return userId.ToString();
        }

        var key = _key ?? throw new InvalidOperationException("The pairwise subject key has not been loaded.");
        var input = Encoding.UTF8.GetBytes($"{agency.Sector}\n{userId:D}");
        return Base64UrlEncode(HMACSHA256.HashData(key, input));
    }

    /// <summary>
    /// The <c>sid</c> one agency sees for a session: HMAC of the session id and the client id, so the
    /// value is stable for the session yet differs between agencies (a shared <c>sid</c> would undo
    /// pairwise subjects). Back-channel logout tokens carry the same value.
    /// </summary>
    public string SessionIdFor(string sessionId, string clientId)
    {
        var key = _key ?? throw new InvalidOperationException("The pairwise subject key has not been loaded.");
        var input = Encoding.UTF8.GetBytes($"sid\n{sessionId}\n{clientId}");
        return Base64UrlEncode(HMACSHA256.HashData(key, input).AsSpan(0, 18).ToArray());
    }

    /// <summary>A keyed hash (HMAC-SHA256 under the server secret) for values stored for comparison only, such as recovery codes.</summary>
    public string KeyedHash(string purpose, string value)
    {
        var key = _key ?? throw new InvalidOperationException("The pairwise subject key has not been loaded.");
        return Base64UrlEncode(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{purpose}\n{value}")));
    }

    /// <summary>Loads the key from the database, creating it on the very first start.</summary>
    public async Task LoadAsync(OnePassDbContext db, IDataProtectionProvider dataProtection, TimeProvider time, CancellationToken cancellationToken)
    {
        var protector = dataProtection.CreateProtector("OnePass.ServerSecrets.v1");
        var row = await db.ServerSecrets.AsNoTracking().SingleOrDefaultAsync(s => s.Name == SecretName, cancellationToken);
        if (row is null)
        {
            db.ServerSecrets.Add(new ServerSecret
            {
                Name = SecretName,
                ProtectedValue = Convert.ToBase64String(protector.Protect(RandomNumberGenerator.GetBytes(32))),
                CreatedAt = time.GetUtcNow(),
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another node created it at the same moment: theirs wins, read it back.
                db.ChangeTracker.Clear();
            }

            row = await db.ServerSecrets.AsNoTracking().SingleAsync(s => s.Name == SecretName, cancellationToken);
        }

        _key = protector.Unprotect(Convert.FromBase64String(row.ProtectedValue));
    }

    private static string Base64UrlEncode(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
