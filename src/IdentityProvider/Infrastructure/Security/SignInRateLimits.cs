using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace OnePass.IdentityProvider.Infrastructure.Security;

/// <summary>
/// Per-IP limits: sign-in attempts (CONTRACT §2 <c>SignInPerIpPerMinute</c>), applied before any
/// password hashing so that credential stuffing cannot burn CPU (CATALOGUE LD-05; only POSTs count),
/// and anonymous authorization/end-session requests. Over the limit: 429 with Retry-After.
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
                context.HttpContext.RequestServices.GetService<Telemetry.OnePassMetrics>()?.RateLimitRejected(
                    IsAuthorizationRequest(context.HttpContext.Request.Path) ? "authorization" : PolicyName);
                return ValueTask.CompletedTask;
            };
            // Anonymous requests that make OpenIddict store a request (authorization and end-session
            // request caching) are limited per IP, so nobody can fill the token table from one address.
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (!IsAuthorizationRequest(context.Request.Path))
                {
                    return RateLimitPartition.GetNoLimiter(string.Empty);
                }

                return PerIpPerMinute(context, context.RequestServices.GetRequiredService<IOptions<OnePassOptions>>().Value.RateLimits.AuthorizationRequestsPerIpPerMinute);
            });

            limiter.AddPolicy(PolicyName, context =>
            {
                if (!HttpMethods.IsPost(context.Request.Method))
                {
                    return RateLimitPartition.GetNoLimiter(string.Empty);
                }

                return PerIpPerMinute(context, context.RequestServices.GetRequiredService<IOptions<OnePassOptions>>().Value.RateLimits.SignInPerIpPerMinute);
            });
        });
        return services;
    }

    private static bool IsAuthorizationRequest(PathString path) =>
        path.StartsWithSegments("/connect/authorize") || path.StartsWithSegments("/connect/endsession");

    private static RateLimitPartition<string> PerIpPerMinute(HttpContext context, int perMinute) =>
        RateLimitPartition.GetFixedWindowLimiter(
            (context.Connection.RemoteIpAddress?.ToString() ?? "unknown") + "/" + perMinute.ToString(CultureInfo.InvariantCulture),
            _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
}
