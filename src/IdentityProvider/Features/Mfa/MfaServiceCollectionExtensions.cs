using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Infrastructure;
using OnePass.IdentityProvider.Infrastructure.State;
using StackExchange.Redis;

namespace OnePass.IdentityProvider.Features.Mfa;

public static class MfaServiceCollectionExtensions
{
    /// <summary>
    /// Second factors (issue 4): authenticator apps (TOTP) with recovery codes, passkeys, the second
    /// sign-in step and step-up, and the authentication audit trail.
    /// </summary>
    public static IHostApplicationBuilder AddOnePassMfa(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Redis")))
        {
            services.AddSingleton<IEphemeralState, MemoryEphemeralState>();
        }
        else
        {
            services.AddSingleton<IEphemeralState>(provider => new RedisEphemeralState(
                provider.GetRequiredService<IConnectionMultiplexer>(), provider.GetRequiredService<IOptions<OnePassOptions>>()));
        }

        services.AddScoped<AuthAudit>();
        services.AddScoped<PendingSignIns>();
        services.AddScoped<MfaSignIn>();
        services.AddScoped<TotpAuthenticator>();
        services.AddScoped<RecoveryCodes>();
        return builder;
    }
}
