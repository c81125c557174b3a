namespace OnePass.IdentityProvider.Data;

/// <summary>
/// A signing or encryption key of the OpenID Connect server. The private part is protected with
/// ASP.NET Core Data Protection (whose key ring is in the same database), so every node and every
/// restart uses the same keys without an OS certificate store.
/// </summary>
public sealed class KeyMaterial
{
    public Guid Id { get; set; }

    /// <summary>The JWK <c>kid</c>, published in JWKS.</summary>
    public required string KeyId { get; set; }

    /// <summary><c>sig</c> or <c>enc</c>, as in the JWK <c>use</c> member.</summary>
    public required string Use { get; set; }

    /// <summary>RS256, ES256 (signing) or RSA-OAEP (encryption).</summary>
    public required string Algorithm { get; set; }

    /// <summary>The private key as PKCS#8, protected by Data Protection, base64.</summary>
    public required string ProtectedPrivateKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>From this instant the key signs (or encrypts); before it, it is only published.</summary>
    public DateTimeOffset ActivatesAt { get; set; }

    /// <summary>When a newer key took over; the key then only verifies what it signed.</summary>
    public DateTimeOffset? RetiredAt { get; set; }

    /// <summary>After this instant nothing it signed is alive: it leaves JWKS and memory.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Emergency removal: a revoked key is never loaded again.</summary>
    public DateTimeOffset? RevokedAt { get; set; }
}
