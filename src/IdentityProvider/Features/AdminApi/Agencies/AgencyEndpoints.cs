using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Agencies;
using OnePass.IdentityProvider.Features.Authorization;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.AdminApi.Agencies;

/// <summary>
/// Agencies (OpenID Connect clients) through the admin API (issue 5; docs/admin-api.md "Agencies"): list,
/// view, register, edit, disable, enable, delete. Every change checks the <c>version</c> the caller read (the
/// OpenIddict application's concurrency token) and is refused with 409 when it is stale, both here and by the
/// store's own check at save time, so an edit is never lost. Every change stages its change-log row before
/// OpenIddict's store saves, so the row and the change are written by the same <c>SaveChanges</c>.
/// Secret rotation and logos are in <c>AgencySecretEndpoints</c> and <c>AgencyLogoEndpoints</c>.
/// </summary>
public static class AgencyEndpoints
{
    public const string TargetType = "agency";

    private const string Tag = "Agencies";
    private const int SecretBytes = 32;

    private static readonly Dictionary<string, bool> Statuses = new(StringComparer.Ordinal) { ["enabled"] = true, ["disabled"] = false };

    public static RouteGroupBuilder Map(RouteGroupBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapGet("/agencies", ListAsync)
            .WithName("ListAgencies").WithSummary("List agencies, with search, status and paging.").WithTags(Tag)
            .Produces<AgencyList>().Produces<AdminApiError>(StatusCodes.Status400BadRequest);
        admin.MapGet("/agencies/{clientId}", GetAsync)
            .WithName("GetAgency").WithSummary("One agency.").WithTags(Tag)
            .Produces<AgencyView>().Produces<AdminApiError>(StatusCodes.Status404NotFound);
        admin.MapPost("/agencies", CreateAsync)
            .WithName("CreateAgency")
            .WithSummary("Register an agency; a confidential client's generated secret is in 'clientSecret', shown this once.")
            .WithTags(Tag).WithJsonBody<AgencyInput>()
            .Produces<AgencyView>(StatusCodes.Status201Created).Produces<AdminApiError>(StatusCodes.Status400BadRequest)
            .Produces<AdminApiError>(StatusCodes.Status409Conflict);
        admin.MapPut("/agencies/{clientId}", UpdateAsync)
            .WithName("UpdateAgency").WithSummary("Replace an agency's editable fields (client id and type never change).")
            .WithTags(Tag).WithJsonBody<AgencyInput>()
            .Produces<AgencyView>().Produces<AdminApiError>(StatusCodes.Status400BadRequest)
            .Produces<AdminApiError>(StatusCodes.Status404NotFound).Produces<AdminApiError>(StatusCodes.Status409Conflict);
        admin.MapPost("/agencies/{clientId}/disable", DisableAsync)
            .WithName("DisableAgency").WithSummary("Disable an agency: no sign-in, no token, and its tokens are revoked.")
            .WithTags(Tag).WithJsonBody<AgencyVersionInput>()
            .Produces<AgencyView>().Produces<AdminApiError>(StatusCodes.Status400BadRequest)
            .Produces<AdminApiError>(StatusCodes.Status404NotFound).Produces<AdminApiError>(StatusCodes.Status409Conflict);
        admin.MapPost("/agencies/{clientId}/enable", EnableAsync)
            .WithName("EnableAgency").WithSummary("Enable a disabled agency again.")
            .WithTags(Tag).WithJsonBody<AgencyVersionInput>()
            .Produces<AgencyView>().Produces<AdminApiError>(StatusCodes.Status400BadRequest)
            .Produces<AdminApiError>(StatusCodes.Status404NotFound).Produces<AdminApiError>(StatusCodes.Status409Conflict);
        admin.MapDelete("/agencies/{clientId}", DeleteAsync)
            .WithName("DeleteAgency").WithSummary("Delete an agency with its authorizations and tokens (?version= required).")
            .WithTags(Tag)
            .Produces(StatusCodes.Status204NoContent).Produces<AdminApiError>(StatusCodes.Status400BadRequest)
            .Produces<AdminApiError>(StatusCodes.Status404NotFound).Produces<AdminApiError>(StatusCodes.Status409Conflict);
        return admin;
    }

    /// <summary>GET /api/admin/agencies?search=&amp;status=&amp;page=&amp;pageSize= — ordered by client id.</summary>
    public static async Task<IResult> ListAsync(
        HttpRequest request, IOpenIddictApplicationManager applications, OnePassDbContext db, CancellationToken cancellationToken)
    {
        var query = AdminApiQuery.Read(request, "search", "status", "page", "pageSize");
        var search = query.Text("search", 200);
        var enabled = query.OneOf("status", Statuses);
        var page = query.Number("page", 1, 1, 1_000_000);
        var pageSize = query.Number("pageSize", 50, 1, 200);
        if (query.Error is { } error)
        {
            return error;
        }

        // Agencies are counted in hundreds, and the searched fields partly live in the properties' JSON:
        // the filter runs here rather than in SQL.
        var logos = await LogoDigestsAsync(db, clientId: null, cancellationToken);
        var views = new List<AgencyView>();
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            var view = await ViewAsync(applications, application, logos, cancellationToken);
            if ((enabled is null || view.Enabled == enabled) && (search is null || Matches(view, search)))
            {
                views.Add(view);
            }
        }

        var items = views.OrderBy(view => view.ClientId, StringComparer.Ordinal).Skip((page - 1) * pageSize).Take(pageSize).ToList();
        return Results.Ok(new AgencyList(items, views.Count, page, pageSize));
    }

    /// <summary>GET /api/admin/agencies/{clientId}.</summary>
    public static async Task<IResult> GetAsync(
        string clientId, HttpRequest request, IOpenIddictApplicationManager applications, OnePassDbContext db, CancellationToken cancellationToken)
    {
        if (AdminApiQuery.Read(request).Error is { } error)
        {
            return error;
        }

        return await FindAsync(applications, clientId, cancellationToken) is { } application
            ? Results.Ok(await ViewAsync(applications, application, await LogoDigestsAsync(db, clientId, cancellationToken), cancellationToken))
            : NotFound();
    }

    /// <summary>POST /api/admin/agencies — 201 with the agency (and, for a confidential client, its secret).</summary>
    public static async Task<IResult> CreateAsync(
        HttpContext context, IOpenIddictApplicationManager applications, OnePassDbContext db, AdminChangeLog changes,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (AdminApiQuery.Read(context.Request).Error is { } queryError)
        {
            return queryError;
        }

        var (input, bodyError) = await AdminJsonBody.ReadAsync<AgencyInput>(context.Request, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        var errors = await Validator(context).ValidateCreateAsync(input!, cancellationToken);
        if (errors.Count > 0)
        {
            return AdminApiError.Validation(errors);
        }

        var confidential = input!.ClientType == AgencyValidator.Confidential;
        var secret = confidential ? Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes)) : null;
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = input.ClientId,
            ClientSecret = secret,
            ClientType = confidential ? ClientTypes.Confidential : ClientTypes.Public,
            ApplicationType = ApplicationTypes.Web,
        };
        AgencyValidator.Apply(input, descriptor);
        if (confidential)
        {
            AgencyDescriptors.SetProperty(descriptor, AgencySettings.SecretRotatedAtProperty,
                time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        }

        var after = AgencyView.From(descriptor, logoDigest: null, version: string.Empty);
        var change = changes.Add(context, "agency.create", TargetType, input.ClientId!, before: null, after.ForAudit());
        object application;
        try
        {
            application = await applications.CreateAsync(descriptor, cancellationToken); // hashes the secret; saves the change row too
        }
        catch (DbUpdateException)
        {
            // Registered by someone else meanwhile (the client id is unique).
            db.Entry(change).State = EntityState.Detached;
            return AdminApiError.Conflict("An agency with this client id was registered meanwhile.");
        }
        catch (OpenIddictExceptions.ValidationException exception)
        {
            db.Entry(change).State = EntityState.Detached;
            return AdminApiError.InvalidRequest(exception.Message);
        }

        var view = await ViewAsync(applications, application, new Dictionary<string, string>(), cancellationToken);
        return Results.Created($"{AdminApiServiceCollectionExtensions.BasePath}/agencies/{Uri.EscapeDataString(input.ClientId!)}",
            view with { ClientSecret = secret });
    }

    /// <summary>PUT /api/admin/agencies/{clientId} — replaces the editable fields; 409 on a stale version.</summary>
    public static async Task<IResult> UpdateAsync(
        string clientId, HttpContext context, IOpenIddictApplicationManager applications, OnePassDbContext db, AdminChangeLog changes,
        CancellationToken cancellationToken)
    {
        var (input, application, error) = await ReadChangeAsync<AgencyInput>(
            clientId, context, applications, body => body.Version, cancellationToken);
        if (application is null)
        {
            return error!;
        }

        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application, cancellationToken);
        var errors = await Validator(context).ValidateUpdateAsync(input!, descriptor, cancellationToken);
        if (errors.Count > 0)
        {
            return AdminApiError.Validation(errors);
        }

        var logos = await LogoDigestsAsync(db, clientId, cancellationToken);
        var before = AgencyView.From(descriptor, logos.GetValueOrDefault(clientId), Version(application));
        AgencyValidator.Apply(input!, descriptor);
        var after = AgencyView.From(descriptor, logos.GetValueOrDefault(clientId), string.Empty);
        return await SaveAsync(context, applications, db, changes, application, descriptor, "agency.update", before, after, logos, cancellationToken);
    }

    /// <summary>POST /api/admin/agencies/{clientId}/disable — no sign-in, no token; every token it holds is revoked.</summary>
    public static Task<IResult> DisableAsync(
        string clientId, HttpContext context, IOpenIddictApplicationManager applications, IOpenIddictTokenManager tokens, OnePassDbContext db,
        AdminChangeLog changes, TimeProvider time, CancellationToken cancellationToken) =>
        SetEnabledAsync(clientId, enabled: false, context, applications, tokens, db, changes, time, cancellationToken);

    /// <summary>POST /api/admin/agencies/{clientId}/enable — the agency may sign citizens in again (revoked tokens stay revoked).</summary>
    public static Task<IResult> EnableAsync(
        string clientId, HttpContext context, IOpenIddictApplicationManager applications, IOpenIddictTokenManager tokens, OnePassDbContext db,
        AdminChangeLog changes, TimeProvider time, CancellationToken cancellationToken) =>
        SetEnabledAsync(clientId, enabled: true, context, applications, tokens, db, changes, time, cancellationToken);

    /// <summary>DELETE /api/admin/agencies/{clientId}?version= — with its authorizations, tokens and logo; 204.</summary>
    public static async Task<IResult> DeleteAsync(
        string clientId, HttpContext context, IOpenIddictApplicationManager applications, OnePassDbContext db, AdminChangeLog changes,
        CancellationToken cancellationToken)
    {
        var query = AdminApiQuery.Read(context.Request, "version");
        var version = query.Text("version", 100);
        if (query.Error is { } queryError)
        {
            return queryError;
        }

        if (version is null)
        {
            return AdminApiError.Field("version", "Send the 'version' of the agency as you read it (?version=).");
        }

        var (application, error) = await FindCurrentAsync(applications, clientId, version, cancellationToken);
        if (application is null)
        {
            return error!;
        }

        var logos = await LogoDigestsAsync(db, clientId, cancellationToken);
        var before = await ViewAsync(applications, application, logos, cancellationToken);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            // OpenIddict's store removes the authorizations and tokens in the same save; the logo goes with them.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var change = changes.Add(context, "agency.delete", TargetType, clientId, before.ForAudit(), after: null);
            var logo = await db.AgencyLogos.FirstOrDefaultAsync(l => l.ClientId == clientId, cancellationToken);
            if (logo is not null)
            {
                db.AgencyLogos.Remove(logo);
            }

            try
            {
                await applications.DeleteAsync(application, cancellationToken);
            }
            catch (OpenIddictExceptions.ConcurrencyException)
            {
                db.Entry(change).State = EntityState.Detached;
                if (logo is not null)
                {
                    db.Entry(logo).State = EntityState.Unchanged;
                }

                return Stale();
            }

            await transaction.CommitAsync(cancellationToken);
            return Results.NoContent();
        });
    }

    private static async Task<IResult> SetEnabledAsync(
        string clientId, bool enabled, HttpContext context, IOpenIddictApplicationManager applications, IOpenIddictTokenManager tokens,
        OnePassDbContext db, AdminChangeLog changes, TimeProvider time, CancellationToken cancellationToken)
    {
        var (_, application, error) = await ReadChangeAsync<AgencyVersionInput>(
            clientId, context, applications, body => body.Version, cancellationToken);
        if (application is null)
        {
            return error!;
        }

        var logos = await LogoDigestsAsync(db, clientId, cancellationToken);
        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application, cancellationToken);
        var before = AgencyView.From(descriptor, logos.GetValueOrDefault(clientId), Version(application));
        if (before.Enabled == enabled)
        {
            return Results.Ok(before); // already so: nothing to change, nothing to log
        }

        AgencyDescriptors.SetDisabled(descriptor, !enabled, time.GetUtcNow());
        var after = AgencyView.From(descriptor, logos.GetValueOrDefault(clientId), string.Empty);
        var action = enabled ? "agency.enable" : "agency.disable";
        if (enabled)
        {
            return await SaveAsync(context, applications, db, changes, application, descriptor, action, before, after, logos, cancellationToken);
        }

        // Disabling and revoking its tokens are one transaction: a disabled agency never keeps a working token.
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var result = await SaveAsync(context, applications, db, changes, application, descriptor, action, before, after, logos, cancellationToken);
            if (result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK })
            {
                var id = await applications.GetIdAsync(application, cancellationToken);
                await tokens.RevokeByApplicationIdAsync(id!, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            return result;
        });
    }

    /// <summary>
    /// The start of a change with a JSON body: no query parameter, a body of <typeparamref name="T"/> with the
    /// <c>version</c> read, and an agency with that client id at that version. Either the body and the application,
    /// or the error to answer (400, 404 or 409).
    /// </summary>
    private static async Task<(T? Input, object? Application, IResult? Error)> ReadChangeAsync<T>(
        string clientId, HttpContext context, IOpenIddictApplicationManager applications, Func<T, string?> version,
        CancellationToken cancellationToken)
        where T : class
    {
        if (AdminApiQuery.Read(context.Request).Error is { } queryError)
        {
            return (null, null, queryError);
        }

        var (input, bodyError) = await AdminJsonBody.ReadAsync<T>(context.Request, cancellationToken);
        if (bodyError is not null)
        {
            return (null, null, bodyError);
        }

        if (version(input!) is not { Length: > 0 } read)
        {
            return (null, null, AdminApiError.Field("version", "Send the 'version' of the agency as you read it."));
        }

        var (application, error) = await FindCurrentAsync(applications, clientId, read, cancellationToken);
        return (input, application, error);
    }

    /// <summary>The agency with that client id when <paramref name="version"/> is its current one; else a 404 or a 409.</summary>
    private static async Task<(object? Application, IResult? Error)> FindCurrentAsync(
        IOpenIddictApplicationManager applications, string clientId, string version, CancellationToken cancellationToken)
    {
        if (await FindAsync(applications, clientId, cancellationToken) is not { } application)
        {
            return (null, NotFound());
        }

        if (string.Equals(clientId, AdminConsoleClient.ClientId, StringComparison.Ordinal))
        {
            return (null, ManagedByConfiguration());
        }

        return Version(application) == version ? (application, null) : (null, Stale());
    }

    /// <summary>Stages the change row and lets OpenIddict's store save the application with it; a concurrent edit is a 409.</summary>
    private static async Task<IResult> SaveAsync(
        HttpContext context, IOpenIddictApplicationManager applications, OnePassDbContext db, AdminChangeLog changes, object application,
        OpenIddictApplicationDescriptor descriptor, string action, AgencyView before, AgencyView after,
        IReadOnlyDictionary<string, string> logos, CancellationToken cancellationToken)
    {
        var change = changes.Add(context, action, TargetType, before.ClientId, before.ForAudit(), after.ForAudit());
        try
        {
            await applications.UpdateAsync(application, descriptor, cancellationToken);
        }
        catch (OpenIddictExceptions.ConcurrencyException)
        {
            db.Entry(change).State = EntityState.Detached;
            return Stale();
        }
        catch (OpenIddictExceptions.ValidationException exception)
        {
            db.Entry(change).State = EntityState.Detached;
            return AdminApiError.InvalidRequest(exception.Message);
        }

        return Results.Ok(await ViewAsync(applications, application, logos, cancellationToken));
    }

    private static async Task<AgencyView> ViewAsync(
        IOpenIddictApplicationManager applications, object application, IReadOnlyDictionary<string, string> logos, CancellationToken cancellationToken)
    {
        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application, cancellationToken);
        return AgencyView.From(descriptor, logos.GetValueOrDefault(descriptor.ClientId ?? string.Empty), Version(application));
    }

    /// <summary>The application's concurrency token: the <c>version</c> the API shows and checks.</summary>
    private static string Version(object application) =>
        ((OpenIddictEntityFrameworkCoreApplication<Guid>)application).ConcurrencyToken ?? string.Empty;

    private static async Task<object?> FindAsync(IOpenIddictApplicationManager applications, string clientId, CancellationToken cancellationToken) =>
        AgencyRules.IsClientId(clientId) ? await applications.FindByClientIdAsync(clientId, cancellationToken) : null;

    /// <summary>Client id to logo digest, for one agency or (null) all of them.</summary>
    private static async Task<Dictionary<string, string>> LogoDigestsAsync(OnePassDbContext db, string? clientId, CancellationToken cancellationToken)
    {
        var logos = db.AgencyLogos.AsNoTracking();
        if (clientId is not null)
        {
            logos = logos.Where(logo => logo.ClientId == clientId);
        }

        return await logos.ToDictionaryAsync(logo => logo.ClientId, logo => logo.Digest, StringComparer.Ordinal, cancellationToken);
    }

    private static bool Matches(AgencyView view, string search) =>
        view.ClientId.Contains(search, StringComparison.OrdinalIgnoreCase) ||
        view.DisplayName.Contains(search, StringComparison.OrdinalIgnoreCase) ||
        (view.ContactEmail?.Contains(search, StringComparison.OrdinalIgnoreCase) ?? false);

    private static AgencyValidator Validator(HttpContext context) =>
        ActivatorUtilities.CreateInstance<AgencyValidator>(context.RequestServices);

    private static IResult NotFound() => AdminApiError.NotFound("No agency has that client id.");

    /// <summary>
    /// The admin console's own client is written from configuration at every start (CONTRACT §1): an edit,
    /// disable or delete through the API would lock every administrator out of the console.
    /// </summary>
    internal static IResult ManagedByConfiguration() => AdminApiError.Conflict(
        $"The agency '{AdminConsoleClient.ClientId}' is the admin console itself; it is managed by configuration (OnePass__AdminConsole__Url, OnePass__AdminConsole__ClientSecret).");

    private static IResult Stale() =>
        AdminApiError.Conflict("The agency was changed since you read it: read it again, then repeat your change.");
}
