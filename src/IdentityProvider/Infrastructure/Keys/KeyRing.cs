using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace OnePass.IdentityProvider.Infrastructure.Keys;

/// <summary>A key loaded from the database, ready for OpenIddict.</summary>
/// <remarks>
/// <see cref="ServerOnlyKey"/> is a 256-bit secret derived from the private key (HKDF), used for the tokens only OnePass
/// itself reads: everything it encrypts (authorization codes, refresh and access tokens, stored requests). Those are
/// signed with HMAC-SHA256 and their content key wrapped with AES-256 instead of an RSA signature and RSA-OAEP, which
/// cost as much as the ID token's signature each (issue 7). ID tokens and logout tokens, which agencies verify, are
/// still signed with the asymmetric key published in JWKS. The derived key lives and dies with its asymmetric key:
/// same rotation, same overlap, same revocation; it is never stored nor published.
/// </remarks>
public sealed record LoadedKey(string KeyId, string Use, string Algorithm, DateTimeOffset ActivatesAt, AsymmetricSecurityKey SecurityKey)
{
    public SymmetricSecurityKey? ServerOnlyKey { get; init; }

    public SigningCredentials ToSigningCredentials() => new(SecurityKey, Algorithm);

    public EncryptingCredentials ToEncryptingCredentials() =>
        new(SecurityKey, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512);

    /// <summary>The key id of <see cref="ServerOnlyKey"/>: never equal to an asymmetric key's.</summary>
    public static string ServerOnlyKeyId(string keyId) => keyId + "-server";

    public SigningCredentials? ToServerOnlySigningCredentials() =>
        ServerOnlyKey is null ? null : new(ServerOnlyKey, SecurityAlgorithms.HmacSha256);

    public EncryptingCredentials? ToServerOnlyEncryptingCredentials() =>
        ServerOnlyKey is null ? null : new(ServerOnlyKey, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512);
}

/// <summary>
/// The keys this node knows, shared by every request. A reload (after a rotation on any node) swaps
/// the snapshot and tells OpenIddict to rebuild its options, so JWKS and validation follow without a restart.
/// </summary>
public sealed class KeyRing : IOptionsChangeTokenSource<OpenIddictServerOptions>, IDisposable
{
    private volatile IReadOnlyList<LoadedKey> _keys = [];
    private CancellationTokenSource _changed = new();

    public string? Name => Options.DefaultName;

    public IReadOnlyList<LoadedKey> Keys => _keys;

    public bool IsLoaded => _keys.Any(key => key.Use == KeyUses.Signing) && _keys.Any(key => key.Use == KeyUses.Encryption);

    public void Dispose() => _changed.Dispose();

    public IChangeToken GetChangeToken() => new CancellationChangeToken(_changed.Token);

    public void Replace(IReadOnlyList<LoadedKey> keys)
    {
        if (_keys.Select(k => k.KeyId).SequenceEqual(keys.Select(k => k.KeyId)))
        {
            return;
        }

        _keys = keys;
        var previous = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
        previous.Cancel();
        previous.Dispose();
    }

    /// <summary>The key that signs (or encrypts) now: the newest one already activated.</summary>
    public LoadedKey? Current(string use, DateTimeOffset now) => _keys
        .Where(key => key.Use == use && key.ActivatesAt <= now)
        .OrderByDescending(key => key.ActivatesAt)
        .ThenBy(key => key.KeyId, StringComparer.Ordinal)
        .FirstOrDefault();
}

public static class KeyUses
{
    public const string Signing = "sig";
    public const string Encryption = "enc";
}
