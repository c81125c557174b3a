using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using OpenIddict.Server;

namespace OnePass.IdentityProvider.Infrastructure.Discovery;

/// <summary>
/// Serves discovery (<c>/.well-known/openid-configuration</c>) and JWKS (<c>/.well-known/jwks</c>) from memory
/// (issue 7, <c>disco</c>). The first GET is answered by OpenIddict as always; its exact bytes are kept and every
/// later GET gets them back, with <c>Cache-Control: public, max-age</c> and a strong <c>ETag</c>
/// (<c>If-None-Match</c> → 304). An entry belongs to one OpenIddict options instance: a key reload
/// (<see cref="Keys.KeyRing"/> after a rotation or revocation on any node) makes OpenIddict rebuild its options,
/// so the next request is answered by OpenIddict again and cached anew.
/// Entries are per scheme and issuer (per host when no issuer is configured, at most <see cref="MaxEntries"/>), so a
/// plain-HTTP request is only ever answered from memory if OpenIddict answered one with 200 before. Requests with
/// a query string, other methods and non-200 answers pass through untouched.
/// </summary>
public sealed class DiscoveryResponseCache(RequestDelegate next, IOptionsMonitor<OpenIddictServerOptions> server, IOptions<OnePassOptions> onePass)
{
    /// <summary>Discovery changes only with a deployment; five minutes keeps a changed setting visible soon.</summary>
    public static readonly TimeSpan DiscoveryMaxAge = TimeSpan.FromMinutes(5);

    public const int MaxEntries = 16;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private volatile EndpointPaths? _paths;

    // A relying party may hold JWKS this long: a rotated-in key is published PublishLead before it signs and
    // reaches every node within RefreshInterval, so half of what remains is safe; never more than five minutes,
    // which also bounds how long a revoked key stays in caches.
    public TimeSpan JwksMaxAge { get; } = JwksMaxAgeFor(onePass.Value.Keys);

    public static TimeSpan JwksMaxAgeFor(KeyOptions keys)
    {
        var margin = (keys.PublishLead - keys.RefreshInterval) / 2;
        return margin <= TimeSpan.Zero ? TimeSpan.Zero : margin < TimeSpan.FromMinutes(5) ? margin : TimeSpan.FromMinutes(5);
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var options = server.CurrentValue;
        if (!HttpMethods.IsGet(request.Method) || request.QueryString.HasValue || MaxAgeFor(options, request.Path) is not { } maxAge)
        {
            await next(context);
            return;
        }

        var key = string.Concat(request.Scheme, "|", options.Issuer?.AbsoluteUri ?? request.Host.Value + request.PathBase.Value, "|", request.Path.Value);
        if (_entries.TryGetValue(key, out var cached) && ReferenceEquals(cached.Options, options))
        {
            await WriteAsync(context, cached, maxAge);
            return;
        }

        // Let OpenIddict answer, keeping its bytes.
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        if (context.Response.StatusCode != StatusCodes.Status200OK || context.Response.HasStarted ||
            (!_entries.ContainsKey(key) && _entries.Count >= MaxEntries))
        {
            buffer.Position = 0;
            await buffer.CopyToAsync(original, context.RequestAborted);
            return;
        }

        var body = buffer.ToArray();
        var entry = new Entry(options, body, context.Response.ContentType, $"\"{Base64Url(SHA256.HashData(body).AsSpan(0, 18))}\"");
        _entries[key] = entry;

        // OpenIddict's no-cache headers give way to the cache headers.
        context.Response.Headers.Remove(HeaderNames.Pragma);
        context.Response.Headers.Remove(HeaderNames.Expires);
        await WriteAsync(context, entry, maxAge);
    }

    private TimeSpan? MaxAgeFor(OpenIddictServerOptions options, PathString path)
    {
        var paths = _paths;
        if (paths is null || !ReferenceEquals(paths.Options, options))
        {
            _paths = paths = new EndpointPaths(options, PathOf(options.ConfigurationEndpointUris), PathOf(options.JsonWebKeySetEndpointUris));
        }

        return path.Equals(paths.Configuration, StringComparison.OrdinalIgnoreCase) ? DiscoveryMaxAge
            : path.Equals(paths.Jwks, StringComparison.OrdinalIgnoreCase) ? JwksMaxAge
            : null;
    }

    private static PathString PathOf(List<Uri> uris) => uris.FirstOrDefault(uri => !uri.IsAbsoluteUri) is { } uri
        ? new PathString("/" + uri.OriginalString.TrimStart('/'))
        : new PathString("/.onepass-none"); // never a request path: no endpoint, no cache

    private static async Task WriteAsync(HttpContext context, Entry entry, TimeSpan maxAge)
    {
        var response = context.Response;
        response.Headers.CacheControl = maxAge > TimeSpan.Zero
            ? $"public, max-age={(long)maxAge.TotalSeconds}"
            : "no-cache";
        response.Headers.ETag = entry.ETag;
        if (IsNotModified(context.Request.Headers.IfNoneMatch, entry.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            response.ContentLength = null;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = entry.ContentType;
        response.ContentLength = entry.Body.Length;
        await response.Body.WriteAsync(entry.Body, context.RequestAborted);
    }

    private static bool IsNotModified(StringValues ifNoneMatch, string etag)
    {
        if (StringValues.IsNullOrEmpty(ifNoneMatch))
        {
            return false;
        }

        // If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/"x" matches "x".
        return EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags) &&
            tags.Any(tag => tag.Tag.Equals(EntityTagHeaderValue.Any.Tag, StringComparison.Ordinal) || tag.Tag.Equals(etag, StringComparison.Ordinal));
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private sealed record EndpointPaths(OpenIddictServerOptions Options, PathString Configuration, PathString Jwks);

    private sealed record Entry(OpenIddictServerOptions Options, byte[] Body, string? ContentType, string ETag);
}

public static class DiscoveryResponseCacheExtensions
{
    /// <summary>Discovery and JWKS from memory; place before authentication (where OpenIddict answers them).</summary>
    public static IApplicationBuilder UseOnePassDiscoveryCache(this IApplicationBuilder app) => app.UseMiddleware<DiscoveryResponseCache>();
}
