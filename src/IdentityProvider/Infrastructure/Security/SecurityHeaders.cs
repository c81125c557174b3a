using System.Security.Cryptography;
using System.Text;

namespace OnePass.IdentityProvider.Infrastructure.Security;

/// <summary>
/// Response headers for every answer: a CSP without inline script (only the hash of the one-line
/// auto-submit script of OpenIddict's form_post responses is allowed), no framing, no referrer,
/// no MIME sniffing (CATALOGUE AT-24, AT-25, AT-28).
/// </summary>
public static class SecurityHeaders
{
    // OpenIddict's form_post response ends with <script>document.form.submit();</script>.
    private static readonly string FormPostScriptHash =
        "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("document.form.submit();"))) + "'";

    public static readonly string ContentSecurityPolicy =
        "default-src 'self'; " +
        $"script-src 'self' {FormPostScriptHash}; " +
        "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    private const string FrameSourcesItem = "OnePass.FrameSources";
    private const string RestrictedPolicyItem = "OnePass.RestrictedPolicy";

    /// <summary>Lets this response's page frame the given origins (front-channel logout iframes), and no others.</summary>
    public static void AllowFrames(HttpContext context, IEnumerable<string> origins) =>
        context.Items[FrameSourcesItem] = string.Join(' ', origins.Distinct(StringComparer.Ordinal));

    /// <summary>Gives this response a stricter policy of its own instead (an agency's uploaded logo).</summary>
    public static void RestrictContent(HttpContext context, string policy) => context.Items[RestrictedPolicyItem] = policy;

    public static IApplicationBuilder UseOnePassSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = context.Items[RestrictedPolicyItem] is string restricted ? restricted
                : context.Items[FrameSourcesItem] is string { Length: > 0 } frames
                ? $"{ContentSecurityPolicy}; frame-src {frames}"
                : ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";

            // Pages and protocol answers are personal: never cache them (static files keep their own).
            if (!headers.ContainsKey("Cache-Control"))
            {
                headers.CacheControl = "no-store";
            }

            return Task.CompletedTask;
        });
        return next(context);
    });
}
