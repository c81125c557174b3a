using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace OnePass.IdentityProvider.Infrastructure.Security;

/// <summary>
/// Per-IP limit on sign-in attempts (CONTRACT §2 <c>SignInPerIpPerMinute</c>), applied before any
/// password hashing so that credential stuffing cannot burn CPU (CATALOGUE LD-05). Only POSTs count.
/// </summary>
public static class SignInRateLimits
{
    public const string PolicyName = "sign-in";

    public static IServiceCollection AddOnePassRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                return ValueTask.CompletedTask;
            };
            limiter.AddPolicy(PolicyName, context =>
            {
                if (!HttpMethods.IsPost(context.Request.Method))
                {
                    return RateLimitPartition.GetNoLimiter(string.Empty);
                }

                var perMinute = context.RequestServices.GetRequiredService<IOptions<OnePassOptions>>().Value.RateLimits.SignInPerIpPerMinute;
                var ip = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetFixedWindowLimiter(ip + "/" + perMinute.ToString(CultureInfo.InvariantCulture), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = perMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
        });
        return services;
    }
}
