using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Agencies;
using OnePass.IdentityProvider.Features.Authorization;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.AdminApi.Agencies;

/// <summary>
/// <c>POST /api/admin/agencies/{clientId}/secret</c>: a new client secret for a confidential agency, shown
/// once. The secret it replaces keeps working for <c>overlapHours</c> (see <see cref="OnePassApplicationManager"/>),
/// so the agency can deploy the new one without an outage; with 0 it stops at once (a leaked secret).
/// Only OpenIddict's hashes are stored, the previous one in the application's properties.
/// </summary>
public static class AgencySecretEndpoints
{
    public const int DefaultOverlapHours = 24;
    public const int MaxOverlapHours = 720;

    /// <summary>32 random bytes: 256 bits, far above the 32-character floor (CATALOGUE IN-AD-05).</summary>
    private const int SecretBytes = 32;

    private static readonly JsonSerializerOptions BodyOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict, // "24" is not a number of hours
    };

    public static RouteGroupBuilder Map(RouteGroupBuilder admin)
    {
        admin.MapPost("/agencies/{clientId}/secret", RotateAsync)
            .WithName("RotateAgencySecret")
            .WithSummary("Issues a new client secret (shown once); the previous one keeps working for overlapHours (0-720, default 24).")
            .WithTags("Agencies")
            .AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
            {
                // Documented here rather than with Accepts(): its content-type matching would answer 415 without
                // our error body, where the API answers 400 invalid_request for any unreadable body.
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(RotateSecretInput), null, cancellationToken) },
                    },
                };
            })
            .Produces<RotatedSecret>()
            .Produces<AdminApiError>(StatusCodes.Status400BadRequest)
            .Produces<AdminApiError>(StatusCodes.Status404NotFound)
            .Produces<AdminApiError>(StatusCodes.Status409Conflict);
        return admin;
    }

    public static async Task<IResult> RotateAsync(
        string clientId, HttpContext context, IOpenIddictApplicationManager applications, AdminChangeLog changes, OnePassDbContext db,
        TimeProvider time, CancellationToken cancellationToken)
    {
        // 1. Strict input: no query parameters, a JSON body with known members only.
        if (AdminApiQuery.Read(context.Request).Error is { } queryError)
        {
            return queryError;
        }

        var (input, bodyError) = await ReadBodyAsync(context.Request, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        // 2. The agency, then each field's rule.
        if (await applications.FindByClientIdAsync(clientId, cancellationToken) is not OpenIddictEntityFrameworkCoreApplication<Guid> application)
        {
            return AdminApiError.NotFound("No agency has that client id.");
        }

        if (string.Equals(clientId, AdminConsoleClient.ClientId, StringComparison.Ordinal))
        {
            return AgencyEndpoints.ManagedByConfiguration(); // its secret, if any, is in the console's configuration
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(input!.Version))
        {
            errors["version"] = ["The version read with the agency is required."];
        }

        var overlapHours = input.OverlapHours ?? DefaultOverlapHours;
        if (overlapHours is < 0 or > MaxOverlapHours)
        {
            errors["overlapHours"] = [$"The overlap must be a whole number of hours from 0 to {MaxOverlapHours}."];
        }

        if (await applications.HasClientTypeAsync(application, ClientTypes.Public, cancellationToken))
        {
            errors["clientType"] = ["A public client has no secret to rotate."];
        }

        if (errors.Count > 0)
        {
            return AdminApiError.Validation(errors);
        }

        // 3. Optimistic concurrency: the version is OpenIddict's concurrency token, renewed by every update.
        if (!string.Equals(input.Version, application.ConcurrencyToken, StringComparison.Ordinal))
        {
            return AdminApiError.Conflict("The agency was changed since it was read; read it again.");
        }

        // 4. The new secret replaces the stored hash; the old hash stays usable for the overlap only.
        var now = time.GetUtcNow();
        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application, cancellationToken);
        var before = await ViewAsync(applications, application, cancellationToken);
        var previousHash = descriptor.ClientSecret;
        DateTimeOffset? previousExpiresAt = overlapHours > 0 && !string.IsNullOrEmpty(previousHash) ? now.AddHours(overlapHours) : null;
        if (previousExpiresAt is { } expiresAt)
        {
            descriptor.Properties[AgencySettings.PreviousSecretProperty] = JsonSerializer.SerializeToElement(previousHash);
            descriptor.Properties[AgencySettings.PreviousSecretExpiresAtProperty] = JsonSerializer.SerializeToElement(Format(expiresAt));
        }
        else
        {
            descriptor.Properties.Remove(AgencySettings.PreviousSecretProperty);
            descriptor.Properties.Remove(AgencySettings.PreviousSecretExpiresAtProperty);
        }

        descriptor.Properties[AgencySettings.SecretRotatedAtProperty] = JsonSerializer.SerializeToElement(Format(now));
        var secret = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(SecretBytes));
        descriptor.ClientSecret = secret; // hashed by the manager (it differs from the stored hash)

        // 5. The audit row is staged on the same context, so OpenIddict's save writes it with the change.
        //    Never the secret or a hash: only when it changed and how long the old one lives.
        var change = changes.Add(context, "agency.secret.rotate", "agency", clientId, before,
            new SecretRotationView(now, previousExpiresAt, overlapHours));
        try
        {
            await applications.UpdateAsync(application, descriptor, cancellationToken);
        }
        catch (OpenIddictExceptions.ConcurrencyException)
        {
            db.Entry(change).State = Microsoft.EntityFrameworkCore.EntityState.Detached;
            return AdminApiError.Conflict("The agency was changed since it was read; read it again.");
        }

        return Results.Ok(new RotatedSecret(secret, previousExpiresAt, application.ConcurrencyToken!));
    }

    /// <summary>The rotation state as stored, for the audit row's "before".</summary>
    private static async Task<SecretRotationView> ViewAsync(
        IOpenIddictApplicationManager applications, object application, CancellationToken cancellationToken)
    {
        var properties = await applications.GetPropertiesAsync(application, cancellationToken);
        DateTimeOffset? rotatedAt = properties.TryGetValue(AgencySettings.SecretRotatedAtProperty, out var value) &&
            value.ValueKind == JsonValueKind.String &&
            DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed)
                ? parsed
                : null;
        return new SecretRotationView(rotatedAt, OnePassApplicationManager.PreviousSecretExpiresAt(properties), null);
    }

    private static async Task<(RotateSecretInput? Input, IResult? Error)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (null, AdminApiError.InvalidRequest("The body must be JSON (Content-Type: application/json)."));
        }

        try
        {
            var input = await JsonSerializer.DeserializeAsync<RotateSecretInput>(request.Body, BodyOptions, cancellationToken);
            return input is null
                ? (null, AdminApiError.InvalidRequest("The body must be a JSON object."))
                : (input, null);
        }
        catch (JsonException exception)
        {
            // The path names the member (an unknown one, or one of the wrong type); the message would name our types.
            return (null, AdminApiError.InvalidRequest($"The body is not valid at '{exception.Path ?? "$"}': unknown member, wrong type or malformed JSON."));
        }
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}

/// <summary>The body of a rotation: the agency's <c>version</c> as read, and how long the old secret keeps working.</summary>
public sealed record RotateSecretInput(string? Version, int? OverlapHours);

/// <summary>The new secret, shown this once; the old one works until <see cref="PreviousSecretExpiresAt"/> (null: already stopped).</summary>
public sealed record RotatedSecret(string ClientSecret, DateTimeOffset? PreviousSecretExpiresAt, string Version);

/// <summary>What the audit trail keeps of a rotation (member names avoid "secret", which the log redacts).</summary>
public sealed record SecretRotationView(DateTimeOffset? RotatedAt, DateTimeOffset? PreviousValidUntil, int? OverlapHours);
