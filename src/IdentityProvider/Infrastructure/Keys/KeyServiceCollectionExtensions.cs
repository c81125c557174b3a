using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Data;
using OpenIddict.Server;

namespace OnePass.IdentityProvider.Infrastructure.Keys;

public static class KeyServiceCollectionExtensions
{
    /// <summary>
    /// Data Protection with its key ring in the database (so cookies and antiforgery tokens work on
    /// every node), and the server's signing/encryption keys loaded from the database.
    /// </summary>
    public static IHostApplicationBuilder AddOnePassKeys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddDataProtection()
            .SetApplicationName("OnePass")
            .PersistKeysToDbContext<OnePassDbContext>();

        builder.Services.AddSingleton<KeyRing>();
        builder.Services.AddSingleton<IOptionsChangeTokenSource<OpenIddictServerOptions>>(services => services.GetRequiredService<KeyRing>());
        builder.Services.AddScoped<KeyStore>();
        builder.Services.AddHostedService<KeyRefreshService>();
        return builder;
    }
}
