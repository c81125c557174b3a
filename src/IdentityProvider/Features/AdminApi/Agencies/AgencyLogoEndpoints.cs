using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Agencies;
using OnePass.IdentityProvider.Infrastructure.Security;
using OpenIddict.Abstractions;

namespace OnePass.IdentityProvider.Features.AdminApi.Agencies;

/// <summary>
/// An agency's logo (issue 5; CATALOGUE IN-AD-03): uploaded as raw bytes through the admin API, kept in the
/// database and served by OnePass itself, so the consent page never loads an image from an agency's server.
/// Only PNG, JPEG and WebP are accepted, decided from the bytes; SVG (which may carry script) is refused.
/// The public copy is served with <c>nosniff</c> and a policy that forbids every load and sandboxes the
/// document, in case a browser is ever led to open it as a page.
/// </summary>
public static class AgencyLogoEndpoints
{
    public const string PublicPath = "/agency-logos";
    public const int MaxBytes = 256 * 1024;
    public const int MinSide = 16;
    public const int MaxSide = 1024;

    /// <summary>The policy of the served image: nothing may load, and as a document it is sandboxed.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; sandbox";

    /// <summary>The largest side of a logo on the consent page, in CSS pixels.</summary>
    public const int ShownSide = 48;

    private const string Field = "logo";

    private static readonly string[] UploadTypes = [LogoImage.Png, LogoImage.Jpeg, LogoImage.WebP];

    /// <summary>Where a logo is served; the digest in the query changes the URL when the image changes (it is cached for a day).</summary>
    public static string UrlFor(string clientId, string digest) => $"{PublicPath}/{Uri.EscapeDataString(clientId)}?v={digest[..16]}";

    public static RouteGroupBuilder Map(RouteGroupBuilder admin)
    {
        admin.MapPut("/agencies/{clientId}/logo", SetAsync)
            .WithName("SetAgencyLogo")
            .WithSummary($"Sets the agency's logo: the image bytes (PNG, JPEG or WebP, read from the bytes), at most {MaxBytes / 1024} KiB, {MinSide}-{MaxSide} px each side.")
            .WithTags("Agencies")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // Documented here rather than with Accepts(): its content-type matching would answer 415 without
                // our error body, where an unacceptable upload is a 400 invalid_request with a "logo" field error.
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = UploadTypes.ToDictionary(
                        type => type,
                        _ => new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } }),
                };
                return Task.CompletedTask;
            })
            .Produces<AgencyLogoView>()
            .Produces<AdminApiError>(StatusCodes.Status400BadRequest)
            .Produces<AdminApiError>(StatusCodes.Status404NotFound)
            .Produces<AdminApiError>(StatusCodes.Status413PayloadTooLarge);
        admin.MapDelete("/agencies/{clientId}/logo", RemoveAsync)
            .WithName("RemoveAgencyLogo")
            .WithSummary("Removes the agency's logo.")
            .WithTags("Agencies")
            .Produces(StatusCodes.Status204NoContent)
            .Produces<AdminApiError>(StatusCodes.Status400BadRequest)
            .Produces<AdminApiError>(StatusCodes.Status404NotFound);
        return admin;
    }

    /// <summary>The public, anonymous copy at <c>/agency-logos/{clientId}</c>, outside the admin API.</summary>
    public static IEndpointRouteBuilder MapOnePassAgencyLogos(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(PublicPath + "/{clientId}", ServeAsync)
            .WithName("GetAgencyLogo")
            .WithSummary("The agency's logo, for the consent page and the admin console (anonymous, cacheable).")
            .WithTags("Agencies")
            .Produces(StatusCodes.Status200OK, contentType: LogoImage.Png, additionalContentTypes: [LogoImage.Jpeg, LogoImage.WebP])
            .Produces(StatusCodes.Status304NotModified)
            .Produces(StatusCodes.Status404NotFound);
        return endpoints;
    }

    /// <summary>PUT /api/admin/agencies/{clientId}/logo — stores the image and answers what was stored.</summary>
    public static async Task<IResult> SetAsync(
        string clientId, HttpContext context, IOpenIddictApplicationManager applications, OnePassDbContext db, AdminChangeLog changes,
        TimeProvider time, CancellationToken cancellationToken)
    {
        // 1. Refuse what is plainly too large before reading a byte (and before the database is asked).
        if (AdminApiQuery.Read(context.Request).Error is { } queryError)
        {
            return queryError;
        }

        if (context.Request.ContentLength > MaxBytes)
        {
            return TooLarge();
        }

        if (await applications.FindByClientIdAsync(clientId, cancellationToken) is null)
        {
            return AdminApiError.NotFound("No agency has that client id.");
        }

        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var declared) ||
            !UploadTypes.Contains(declared.MediaType.Value, StringComparer.OrdinalIgnoreCase))
        {
            return AdminApiError.Field(Field, "Send the image bytes with Content-Type image/png, image/jpeg or image/webp.");
        }

        // 2. Read at most one byte past the limit (a chunked body has no length to check first).
        var content = await ReadLimitedAsync(context, cancellationToken);
        if (content is null)
        {
            return TooLarge();
        }

        // 3. The type is what the bytes are, whatever the header said.
        if (content.Length == 0)
        {
            return AdminApiError.Field(Field, "The body must be the image's bytes.");
        }

        if (LogoImage.Read(content) is not { } image)
        {
            return AdminApiError.Field(Field, "The logo must be a PNG, JPEG or WebP image; SVG, GIF and other files are not accepted.");
        }

        if (image.Width is < MinSide or > MaxSide || image.Height is < MinSide or > MaxSide)
        {
            return AdminApiError.Field(Field,
                $"The logo must be {MinSide} to {MaxSide} pixels wide and high; this one is {image.Width} x {image.Height}.");
        }

        // 4. Store it with its digest (the ETag) and the audit row, in one save.
        var digest = Convert.ToHexStringLower(SHA256.HashData(content));
        var logo = await db.AgencyLogos.SingleOrDefaultAsync(l => l.ClientId == clientId, cancellationToken);
        var before = logo is null ? null : new AgencyLogoAudit(logo.ContentType, logo.Digest, logo.Content.Length);
        if (logo is null)
        {
            logo = new AgencyLogo { ClientId = clientId, ContentType = image.ContentType, Content = content, Digest = digest };
            db.AgencyLogos.Add(logo);
        }
        else
        {
            logo.ContentType = image.ContentType;
            logo.Content = content;
            logo.Digest = digest;
        }

        logo.UpdatedAt = time.GetUtcNow();
        changes.Add(context, "agency.logo.set", "agency", clientId, before, new AgencyLogoAudit(image.ContentType, digest, content.Length));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another upload for the same agency created its row first.
            return AdminApiError.Conflict("The logo was changed at the same time; try again.");
        }

        return Results.Ok(new AgencyLogoView(UrlFor(clientId, digest), image.ContentType, content.Length, image.Width, image.Height, digest));
    }

    /// <summary>DELETE /api/admin/agencies/{clientId}/logo — 204; 404 when the agency has no logo.</summary>
    public static async Task<IResult> RemoveAsync(
        string clientId, HttpContext context, IOpenIddictApplicationManager applications, OnePassDbContext db, AdminChangeLog changes,
        CancellationToken cancellationToken)
    {
        if (AdminApiQuery.Read(context.Request).Error is { } queryError)
        {
            return queryError;
        }

        if (await applications.FindByClientIdAsync(clientId, cancellationToken) is null)
        {
            return AdminApiError.NotFound("No agency has that client id.");
        }

        if (await db.AgencyLogos.SingleOrDefaultAsync(l => l.ClientId == clientId, cancellationToken) is not { } logo)
        {
            return AdminApiError.NotFound("The agency has no logo.");
        }

        db.AgencyLogos.Remove(logo);
        changes.Add(context, "agency.logo.remove", "agency", clientId, new AgencyLogoAudit(logo.ContentType, logo.Digest, logo.Content.Length), null);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return AdminApiError.NotFound("The agency has no logo."); // removed at the same time
        }

        return Results.NoContent();
    }

    /// <summary>GET /agency-logos/{clientId} — the bytes with their stored type; 304 when the caller's ETag matches.</summary>
    public static async Task<IResult> ServeAsync(string clientId, HttpContext context, OnePassDbContext db, CancellationToken cancellationToken)
    {
        var logo = await db.AgencyLogos.AsNoTracking()
            .Where(l => l.ClientId == clientId)
            .Select(l => new { l.ContentType, l.Digest, l.Content })
            .SingleOrDefaultAsync(cancellationToken);
        if (logo is null)
        {
            return Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.CacheControl = "public, max-age=86400";
        headers.XContentTypeOptions = "nosniff";
        SecurityHeaders.RestrictContent(context, ContentSecurityPolicy);

        // Results.Bytes answers If-None-Match itself: 304 without a body when the tag matches.
        return Results.Bytes(logo.Content, logo.ContentType, entityTag: new EntityTagHeaderValue($"\"{logo.Digest}\""));
    }

    /// <summary>
    /// The logo for the consent page: OnePass's own URL and a display size that fits <see cref="ShownSide"/>
    /// with the image's proportions (the width and height attributes keep the page from shifting as it loads).
    /// </summary>
    public static async Task<ShownLogo?> ForConsentAsync(OnePassDbContext db, string clientId, CancellationToken cancellationToken)
    {
        var logo = await db.AgencyLogos.AsNoTracking()
            .Where(l => l.ClientId == clientId)
            .Select(l => new { l.Digest, l.Content })
            .SingleOrDefaultAsync(cancellationToken);
        if (logo is null || LogoImage.Read(logo.Content) is not { } image)
        {
            return null;
        }

        var scale = Math.Min(1.0, (double)ShownSide / Math.Max(image.Width, image.Height));
        return new ShownLogo(
            UrlFor(clientId, logo.Digest),
            Math.Max(1, (int)Math.Round(image.Width * scale)),
            Math.Max(1, (int)Math.Round(image.Height * scale)));
    }

    /// <summary>The body, or null when it is larger than <see cref="MaxBytes"/>.</summary>
    private static async Task<byte[]?> ReadLimitedAsync(HttpContext context, CancellationToken cancellationToken)
    {
        // The server-wide limit is 64 KiB (protocol requests are small); this one endpoint may take a logo.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBytes + 1;
        }

        var buffer = new byte[MaxBytes + 1];
        var total = 0;
        try
        {
            int read;
            while (total < buffer.Length && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
            {
                total += read;
            }
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return total > MaxBytes ? null : buffer[..total];
    }

    private static IResult TooLarge() => Results.Json(
        new AdminApiError("invalid_request", $"The logo must be at most {MaxBytes / 1024} KiB.")
        {
            Errors = new Dictionary<string, string[]> { [Field] = [$"The logo must be at most {MaxBytes / 1024} KiB."] },
        },
        statusCode: StatusCodes.Status413PayloadTooLarge);
}

/// <summary>The stored logo: where it is served, its type (from the bytes), size and pixel dimensions.</summary>
public sealed record AgencyLogoView(string LogoUrl, string ContentType, int Size, int Width, int Height, string Digest);

/// <summary>What the audit trail keeps of a logo (never the bytes).</summary>
public sealed record AgencyLogoAudit(string ContentType, string Digest, int Size);

/// <summary>A logo as a page shows it: OnePass's URL and the display size in CSS pixels.</summary>
public sealed record ShownLogo(string Url, int Width, int Height);
