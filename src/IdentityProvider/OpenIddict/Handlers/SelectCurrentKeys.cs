using OnePass.IdentityProvider.Infrastructure.Keys;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// Signs (and encrypts) with the newest key already activated, not simply the first registered:
/// a rotated-in key is published in JWKS for a while before it signs (CATALOGUE FT-13). Tokens only OnePass reads
/// get that key's server-only symmetric form.
/// </summary>
public sealed class SelectCurrentKeys(KeyRing ring, TimeProvider time) : IOpenIddictServerHandler<GenerateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
            .UseSingletonHandler<SelectCurrentKeys>()
            .SetOrder(OpenIddictServerHandlers.Protection.AttachSecurityCredentials.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(GenerateTokenContext context)
    {
        var now = time.GetUtcNow();

        // OpenIddict encrypts every token but the ID token (and an access token when encryption is off): an encrypted
        // token is read by OnePass alone, so it is signed and wrapped with the server-only keys (LoadedKey.ServerOnlyKey).
        var serverOnly = context.EncryptionCredentials is not null;
        if (context.SigningCredentials is not null && ring.Current(KeyUses.Signing, now) is { } signing)
        {
            var kid = serverOnly && signing.ServerOnlyKey is not null ? LoadedKey.ServerOnlyKeyId(signing.KeyId) : signing.KeyId;
            context.SigningCredentials = context.Options.SigningCredentials
                .FirstOrDefault(credentials => credentials.Kid == kid) ?? context.SigningCredentials;
        }

        if (context.EncryptionCredentials is not null && ring.Current(KeyUses.Encryption, now) is { } encryption)
        {
            var kid = encryption.ServerOnlyKey is not null ? LoadedKey.ServerOnlyKeyId(encryption.KeyId) : encryption.KeyId;
            context.EncryptionCredentials = context.Options.EncryptionCredentials
                .FirstOrDefault(credentials => credentials.Key.KeyId == kid) ?? context.EncryptionCredentials;
        }

        return ValueTask.CompletedTask;
    }
}
