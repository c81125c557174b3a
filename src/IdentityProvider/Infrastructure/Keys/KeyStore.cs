using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OnePass.IdentityProvider.Data;

namespace OnePass.IdentityProvider.Infrastructure.Keys;

/// <summary>
/// Creates, rotates, revokes and loads the server's keys, kept in the database and protected by
/// Data Protection. Rotation follows the usual overlap rule (CATALOGUE FT-13): publish the next key,
/// sign with it only after <see cref="KeyOptions.PublishLead"/>, keep the previous one in JWKS until
/// everything it signed has expired.
/// </summary>
public sealed class KeyStore(
    OnePassDbContext db,
    IDataProtectionProvider dataProtection,
    KeyRing ring,
    IOptions<OnePassOptions> options,
    TimeProvider time,
    ILogger<KeyStore> logger)
{
    // Fixed ids for the very first keys: when several nodes start on an empty database at once,
    // only one insert of each wins and every node ends up with the same keys.
    private static readonly Guid InitialSigningKeyId = new("0b6e7c61-7a53-4d5c-9f0e-5f1e2c3a4b01");
    private static readonly Guid InitialEncryptionKeyId = new("0b6e7c61-7a53-4d5c-9f0e-5f1e2c3a4b02");

    private readonly IDataProtector _protector = dataProtection.CreateProtector("OnePass.Keys.v1");

    /// <summary>Generates the first signing and encryption keys when the database has none.</summary>
    public async Task EnsureKeysAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        foreach (var (use, id) in new[] { (KeyUses.Signing, InitialSigningKeyId), (KeyUses.Encryption, InitialEncryptionKeyId) })
        {
            var hasUsable = await db.Keys.AnyAsync(
                key => key.Use == use && key.RevokedAt == null, cancellationToken);
            if (hasUsable)
            {
                continue;
            }

            var algorithm = use == KeyUses.Signing ? options.Value.Keys.Algorithm : SecurityAlgorithms.RsaOAEP;
            var hasAny = await db.Keys.AnyAsync(key => key.Use == use, cancellationToken);
            db.Keys.Add(Generate(hasAny ? Guid.NewGuid() : id, use, algorithm, now, now));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                logger.LogInformation("Generated the first {Use} key ({Algorithm}).", use, algorithm);
            }
            catch (DbUpdateException)
            {
                // Another node inserted the same initial key first: use that one.
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>Publishes a new signing (and encryption) key that takes over after the publish lead.</summary>
    public async Task<KeyMaterial> RotateAsync(string? algorithm, bool immediately, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var activatesAt = immediately ? now : now + options.Value.Keys.PublishLead;
        var keepFor = MaxTokenLifetime();

        var current = await db.Keys.Where(key => key.RevokedAt == null && key.RetiredAt == null).ToListAsync(cancellationToken);
        foreach (var key in current)
        {
            key.RetiredAt = activatesAt;
            key.ExpiresAt = activatesAt + keepFor;
        }

        var signing = Generate(Guid.NewGuid(), KeyUses.Signing, algorithm ?? options.Value.Keys.Algorithm, now, activatesAt);
        db.Keys.Add(signing);
        db.Keys.Add(Generate(Guid.NewGuid(), KeyUses.Encryption, SecurityAlgorithms.RsaOAEP, now, activatesAt));
        await db.SaveChangesAsync(cancellationToken);
        return signing;
    }

    /// <summary>Emergency removal of a compromised key (CATALOGUE FT-14): gone from JWKS at the next reload.</summary>
    public async Task<bool> RevokeAsync(string keyId, CancellationToken cancellationToken = default)
    {
        var key = await db.Keys.SingleOrDefaultAsync(k => k.KeyId == keyId, cancellationToken);
        if (key is null)
        {
            return false;
        }

        key.RevokedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);

        // Revoking the only live key of its use must not leave the server unable to sign: a new one takes over at once.
        await EnsureKeysAsync(cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<KeyMaterial>> ListAsync(CancellationToken cancellationToken = default) =>
        await db.Keys.AsNoTracking().OrderBy(key => key.CreatedAt).ToListAsync(cancellationToken);

    /// <summary>Reads every live key into the <see cref="KeyRing"/>.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var rows = await db.Keys.AsNoTracking().Where(key => key.RevokedAt == null).ToListAsync(cancellationToken);
        var live = rows.Where(key => key.ExpiresAt is null || key.ExpiresAt > now)
            .OrderBy(key => key.KeyId, StringComparer.Ordinal)
            .Select(Load)
            .ToList();
        ring.Replace(live);
    }

    private LoadedKey Load(KeyMaterial row)
    {
        var pkcs8 = _protector.Unprotect(Convert.FromBase64String(row.ProtectedPrivateKey));
        AsymmetricSecurityKey key;
        if (row.Algorithm == SecurityAlgorithms.EcdsaSha256)
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
            key = new ECDsaSecurityKey(ecdsa) { KeyId = row.KeyId };
        }
        else
        {
            var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(pkcs8, out _);
            key = new RsaSecurityKey(rsa) { KeyId = row.KeyId };
        }

        // Domain-separated by use, so the signing and the encryption key never share a derived secret.
        var serverOnly = HKDF.DeriveKey(HashAlgorithmName.SHA256, pkcs8, 32, salt: [],
            info: System.Text.Encoding.UTF8.GetBytes("OnePass server-only token key v1 " + row.Use));
        CryptographicOperations.ZeroMemory(pkcs8);
        return new LoadedKey(row.KeyId, row.Use, row.Algorithm, row.ActivatesAt, key)
        {
            ServerOnlyKey = new SymmetricSecurityKey(serverOnly) { KeyId = LoadedKey.ServerOnlyKeyId(row.KeyId) },
        };
    }

    private KeyMaterial Generate(Guid id, string use, string algorithm, DateTimeOffset now, DateTimeOffset activatesAt)
    {
        byte[] pkcs8;
        if (algorithm == SecurityAlgorithms.EcdsaSha256)
        {
            using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            pkcs8 = ecdsa.ExportPkcs8PrivateKey();
        }
        else if (algorithm is SecurityAlgorithms.RsaSha256 or SecurityAlgorithms.RsaOAEP)
        {
            using var rsa = RSA.Create(2048);
            pkcs8 = rsa.ExportPkcs8PrivateKey();
        }
        else
        {
            throw new ArgumentException($"Unsupported key algorithm '{algorithm}'; use RS256 or ES256.", nameof(algorithm));
        }

        var protectedKey = Convert.ToBase64String(_protector.Protect(pkcs8));
        CryptographicOperations.ZeroMemory(pkcs8);
        return new KeyMaterial
        {
            Id = id,
            KeyId = $"{use}-{now:yyyyMMdd}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}",
            Use = use,
            Algorithm = algorithm,
            ProtectedPrivateKey = protectedKey,
            CreatedAt = now,
            ActivatesAt = activatesAt,
        };
    }

    // Anything signed or encrypted by a key can live at most this long after the key stops being used.
    private TimeSpan MaxTokenLifetime()
    {
        var tokens = options.Value.Tokens;
        return new[] { tokens.AccessToken, tokens.IdentityToken, tokens.RefreshToken, tokens.Request, tokens.AuthorizationCode }
            .Max() + TimeSpan.FromMinutes(5);
    }
}
