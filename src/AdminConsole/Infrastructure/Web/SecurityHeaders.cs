namespace OnePass.AdminConsole.Infrastructure.Web;

/// <summary>
/// Response headers for every answer (CATALOGUE AT-24, AT-25): a CSP without inline script or style (the
/// console's JavaScript and CSS are files under wwwroot), no framing, no referrer, no MIME sniffing.
/// <c>form-action</c> names the OnePass authority because sign-out and sign-in forms end in a redirect there,
/// and browsers apply form-action to the redirect; <c>img-src</c> names it because agency logos are served by OnePass.
/// </summary>
public static class SecurityHeaders
{
    public static string ContentSecurityPolicy(string authorityOrigin) =>
        $"default-src 'self'; img-src 'self' {authorityOrigin}; frame-ancestors 'none'; form-action 'self' {authorityOrigin}; " +
        "object-src 'none'; base-uri 'none'";

    public static IApplicationBuilder UseConsoleSecurityHeaders(this IApplicationBuilder app, string authorityOrigin)
    {
        var policy = ContentSecurityPolicy(authorityOrigin);
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = policy;
                headers.XFrameOptions = "DENY";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";

                // Pages show administrators' data (and once, a client secret): never cache them; static files keep their own.
                if (!headers.ContainsKey("Cache-Control"))
                {
                    headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            });
            return next(context);
        });
    }
}
