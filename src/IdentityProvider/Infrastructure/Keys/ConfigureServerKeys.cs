using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace OnePass.IdentityProvider.Infrastructure.Keys;

/// <summary>
/// Hands every live key to OpenIddict, each with its server-only symmetric form (<see cref="LoadedKey.ServerOnlyKey"/>):
/// all are accepted for validation, the asymmetric signing keys are published in JWKS (OpenIddict never publishes a
/// symmetric key); <see cref="OpenIddict.Handlers.SelectCurrentKeys"/> decides which one signs.
/// </summary>
public sealed class ConfigureServerKeys(KeyRing ring) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        if (!ring.IsLoaded)
        {
            // Never fall back to ephemeral keys that other nodes could not validate (CATALOGUE FT-10).
            throw new InvalidOperationException(
                "The key ring has not been loaded from the database; the server cannot sign tokens.");
        }

        options.SigningCredentials.Clear();
        options.EncryptionCredentials.Clear();
        foreach (var key in ring.Keys)
        {
            // Both forms of every key: the asymmetric one still reads tokens issued before the server-only keys.
            if (key.Use == KeyUses.Signing)
            {
                options.SigningCredentials.Add(key.ToSigningCredentials());
                if (key.ToServerOnlySigningCredentials() is { } serverOnly)
                {
                    options.SigningCredentials.Add(serverOnly);
                }
            }
            else
            {
                options.EncryptionCredentials.Add(key.ToEncryptingCredentials());
                if (key.ToServerOnlyEncryptingCredentials() is { } serverOnly)
                {
                    options.EncryptionCredentials.Add(serverOnly);
                }
            }
        }
    }
}
