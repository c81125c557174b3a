using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace OnePass.IdentityProvider.Infrastructure.Keys;

/// <summary>
/// Hands every live key to OpenIddict: all are published in JWKS and accepted for validation;
/// <see cref="OpenIddict.Handlers.SelectCurrentKeys"/> decides which one signs.
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
            if (key.Use == KeyUses.Signing)
            {
                options.SigningCredentials.Add(key.ToSigningCredentials());
            }
            else
            {
                options.EncryptionCredentials.Add(key.ToEncryptingCredentials());
            }
        }
    }
}
