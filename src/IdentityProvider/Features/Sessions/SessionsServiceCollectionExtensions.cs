using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Infrastructure;
using StackExchange.Redis;

namespace OnePass.IdentityProvider.Features.Sessions;

public static class SessionsServiceCollectionExtensions
{
    /// <summary>
    /// Server-side SSO sessions behind the sign-in cookie — in Redis when <c>ConnectionStrings__Redis</c>
    /// is set (never silently in process then: a Redis outage is a 503, CATALOGUE FT-01), in process
    /// otherwise — and single logout (back-channel outbox and dispatcher, expiry sweeper).
    /// </summary>
    public static IHostApplicationBuilder AddOnePassSessions(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Redis")))
        {
            services.AddSingleton<ISessionStorage, MemorySessionStorage>();
        }
        else
        {
            services.AddSingleton<ISessionStorage>(provider => new RedisSessionStorage(
                provider.GetRequiredService<IConnectionMultiplexer>(), provider.GetRequiredService<IOptions<OnePassOptions>>()));
        }

        services.AddSingleton<SsoSessionStore>();
        services.AddScoped<SessionSignIn>();
        services.AddSingleton<SingleLogout>();
        services.AddSingleton<LogoutDispatchSignal>();
        services.AddSingleton<LogoutTokenFactory>();
        services.AddHostedService<SessionExpirySweeper>();
        services.AddHostedService<BackChannelLogoutDispatcher>();
        services.AddHttpClient(BackChannelLogoutDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(BackChannelLogoutDispatcher.CreateHandler);

        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<SsoSessionStore>((cookie, store) =>
            {
                cookie.SessionStore = store;
                // The server decides idle and absolute expiry; the cookie itself lives for the browser session.
                // Its ticket expires a minute after the server's absolute end, so the store ends an expired
                // session as expired; a ticket that expired first would make the cookie handler end it as a sign-out.
                cookie.SlidingExpiration = false;
                cookie.ExpireTimeSpan = (builder.Configuration.GetSection(OnePassOptions.SectionName).Get<OnePassOptions>()?.Sessions.AbsoluteLifetime
                    ?? new SessionOptions().AbsoluteLifetime) + TimeSpan.FromMinutes(1);
            });
        return builder;
    }
}
