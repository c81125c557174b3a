using OnePass.IdentityProvider.Infrastructure.Keys;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OnePass.IdentityProvider.OpenIddict.Handlers;

/// <summary>
/// Signs (and encrypts) with the newest key already activated, not simply the first registered:
/// a rotated-in key is published in JWKS for a while before it signs (CATALOGUE FT-13).
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
        if (context.SigningCredentials is not null && ring.Current(KeyUses.Signing, now) is { } signing)
        {
            context.SigningCredentials = context.Options.SigningCredentials
                .FirstOrDefault(credentials => credentials.Kid == signing.KeyId) ?? context.SigningCredentials;
        }

        if (context.EncryptionCredentials is not null && ring.Current(KeyUses.Encryption, now) is { } encryption)
        {
            context.EncryptionCredentials = context.Options.EncryptionCredentials
                .FirstOrDefault(credentials => credentials.Key.KeyId == encryption.KeyId) ?? context.EncryptionCredentials;
        }

        return ValueTask.CompletedTask;
    }
}
