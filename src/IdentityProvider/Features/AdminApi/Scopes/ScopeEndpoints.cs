using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using Permissions = OpenIddict.Abstractions.OpenIddictConstants.Permissions;

namespace OnePass.IdentityProvider.Features.AdminApi.CustomScopes;

/// <summary>
/// Scopes through the admin API (issue 5, docs/admin-api.md "Scopes"): the built-in ones, read-only, and
/// custom ones that administrators define in OpenIddict's scope store with the claims they release
/// (<see cref="ScopeClaims"/>) and the citizen-readable description the consent page shows. Every change
/// is written by the scope store's own save together with its change-log row; a stale <c>version</c> is a
/// 409 and nothing is written.
/// </summary>
public static class ScopeEndpoints
{
    public const string Tag = "Scopes";
    public const string TargetType = "scope";
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    private const int MaxVersionLength = 100;

    private static readonly JsonSerializerOptions BodyOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static RouteGroupBuilder Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/scopes", ListAsync)
            .WithName("ListScopes").WithSummary("Every scope: the built-in ones (read-only), then the custom ones by name.").WithTags(Tag)
            .Produces<ScopeList>().Produces<AdminApiError>(StatusCodes.Status400BadRequest);
        admin.MapGet("/scopes/{name}", GetAsync)
            .WithName("GetScope").WithSummary("One scope.").WithTags(Tag)
            .Produces<ScopeView>().Produces<AdminApiError>(StatusCodes.Status400BadRequest).Produces<AdminApiError>(StatusCodes.Status404NotFound);
        admin.MapPost("/scopes", CreateAsync)
            .WithName("CreateScope").WithSummary("Defines a custom scope with the claims it releases and its consent-page description.").WithTags(Tag)
            .Accepts<CreateScopeRequest>("application/json")
            .Produces<ScopeView>(StatusCodes.Status201Created).Produces<AdminApiError>(StatusCodes.Status400BadRequest)
            .Produces<AdminApiError>(StatusCodes.Status409Conflict);
        admin.MapPut("/scopes/{name}", UpdateAsync)
            .WithName("UpdateScope").WithSummary("Replaces a custom scope's display name, description and claims (send the version read).").WithTags(Tag)
            .Accepts<UpdateScopeRequest>("application/json")
            .Produces<ScopeView>().Produces<AdminApiError>(StatusCodes.Status400BadRequest)
            .Produces<AdminApiError>(StatusCodes.Status404NotFound).Produces<AdminApiError>(StatusCodes.Status409Conflict);
        admin.MapDelete("/scopes/{name}", DeleteAsync)
            .WithName("DeleteScope").WithSummary("Deletes a custom scope (?version=); 409 while an agency may still ask for it.").WithTags(Tag)
            .Produces(StatusCodes.Status204NoContent).Produces<AdminApiError>(StatusCodes.Status400BadRequest)
            .Produces<AdminApiError>(StatusCodes.Status404NotFound).Produces<AdminApiError>(StatusCodes.Status409Conflict);
        return admin;
    }

    /// <summary>GET /api/admin/scopes?page=&amp;pageSize=</summary>
    public static async Task<IResult> ListAsync(HttpRequest request, IOpenIddictScopeManager scopes, CancellationToken cancellationToken)
    {
        var query = AdminApiQuery.Read(request, "page", "pageSize");
        var page = query.Number("page", 1, 1, 100_000);
        var pageSize = query.Number("pageSize", DefaultPageSize, 1, MaxPageSize);
        if (query.Error is { } error)
        {
            return error;
        }

        // Administrators define a handful of scopes: all are read, then paged with the built-in ones first.
        var custom = new List<ScopeView>();
        await foreach (var scope in scopes.ListAsync(count: null, offset: null, cancellationToken))
        {
            var view = await ViewAsync(scopes, scope, cancellationToken);
            if (!ScopeClaims.IsBuiltIn(view.Name))
            {
                custom.Add(view);
            }
        }

        List<ScopeView> all = [.. ScopeRules.BuiltIn, .. custom.OrderBy(view => view.Name, StringComparer.Ordinal)];
        return Results.Ok(new ScopeList([.. all.Skip((page - 1) * pageSize).Take(pageSize)], all.Count, page, pageSize));
    }

    /// <summary>GET /api/admin/scopes/{name}</summary>
    public static async Task<IResult> GetAsync(string name, HttpRequest request, IOpenIddictScopeManager scopes, CancellationToken cancellationToken)
    {
        if (AdminApiQuery.Read(request).Error is { } error)
        {
            return error;
        }

        if (ScopeRules.BuiltIn.FirstOrDefault(view => view.Name == name) is { } builtIn)
        {
            return Results.Ok(builtIn);
        }

        return await scopes.FindByNameAsync(name, cancellationToken) is { } scope
            ? Results.Ok(await ViewAsync(scopes, scope, cancellationToken))
            : NotFound(name);
    }

    /// <summary>POST /api/admin/scopes — 201 with <c>Location</c> and the scope.</summary>
    public static async Task<IResult> CreateAsync(
        HttpContext context, IOpenIddictScopeManager scopes, AdminChangeLog changes, OnePassDbContext db, CancellationToken cancellationToken)
    {
        if (AdminApiQuery.Read(context.Request).Error is { } queryError)
        {
            return queryError;
        }

        var (body, bodyError) = await ReadBodyAsync<CreateScopeRequest>(context.Request, cancellationToken);
        if (body is null)
        {
            return bodyError!;
        }

        var errors = new ScopeRules.FieldErrors();
        ScopeRules.CheckName(body.Name, errors);
        var claims = ScopeRules.CheckFields(body.DisplayName, body.Description, body.Claims, errors);
        if (errors.Count > 0)
        {
            return AdminApiError.Validation(errors.ToDictionary());
        }

        var name = body.Name!;
        if (await scopes.FindByNameAsync(name, cancellationToken) is not null)
        {
            return AdminApiError.Conflict($"A scope named '{name}' already exists.");
        }

        var record = new ScopeRecord(name, body.DisplayName!, body.Description!, claims);
        var descriptor = new OpenIddictScopeDescriptor { Name = name };
        Apply(record, descriptor);

        // The change-log row is staged first, so the scope store's save writes both or neither.
        changes.Add(context, "scope.create", TargetType, name, before: null, after: record);
        object scope;
        try
        {
            scope = await scopes.CreateAsync(descriptor, cancellationToken);
        }
        catch (Exception exception) when (exception is OpenIddictExceptions.ValidationException or DbUpdateException)
        {
            // Created meanwhile by another administrator (the name is unique in the store).
            db.ChangeTracker.Clear();
            return AdminApiError.Conflict($"A scope named '{name}' already exists.");
        }

        return Results.Created($"{AdminApiServiceCollectionExtensions.BasePath}/scopes/{Uri.EscapeDataString(name)}",
            await ViewAsync(scopes, scope, cancellationToken));
    }

    /// <summary>PUT /api/admin/scopes/{name}</summary>
    public static async Task<IResult> UpdateAsync(
        string name, HttpContext context, IOpenIddictScopeManager scopes, AdminChangeLog changes, OnePassDbContext db,
        CancellationToken cancellationToken)
    {
        if (AdminApiQuery.Read(context.Request).Error is { } queryError)
        {
            return queryError;
        }

        if (ScopeClaims.IsBuiltIn(name))
        {
            return BuiltInIsReadOnly(name);
        }

        if (await scopes.FindByNameAsync(name, cancellationToken) is not { } scope)
        {
            return NotFound(name);
        }

        var (body, bodyError) = await ReadBodyAsync<UpdateScopeRequest>(context.Request, cancellationToken);
        if (body is null)
        {
            return bodyError!;
        }

        var errors = new ScopeRules.FieldErrors();
        var claims = ScopeRules.CheckFields(body.DisplayName, body.Description, body.Claims, errors);
        if (string.IsNullOrEmpty(body.Version) || body.Version.Length > MaxVersionLength)
        {
            errors.Add("version", "The version read with the scope is required.");
        }

        if (errors.Count > 0)
        {
            return AdminApiError.Validation(errors.ToDictionary());
        }

        if (!string.Equals(body.Version, VersionOf(scope), StringComparison.Ordinal))
        {
            return Stale(name);
        }

        var before = await RecordAsync(scopes, scope, cancellationToken);
        var after = new ScopeRecord(name, body.DisplayName!, body.Description!, claims);
        var descriptor = new OpenIddictScopeDescriptor();
        await scopes.PopulateAsync(descriptor, scope, cancellationToken);
        Apply(after, descriptor);

        changes.Add(context, "scope.update", TargetType, name, before, after);
        try
        {
            // The store checks the version it loaded, so an edit saved meanwhile by another node is not overwritten.
            await scopes.UpdateAsync(scope, descriptor, cancellationToken);
        }
        catch (OpenIddictExceptions.ConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return Stale(name);
        }

        return Results.Ok(await ViewAsync(scopes, scope, cancellationToken));
    }

    /// <summary>DELETE /api/admin/scopes/{name}?version= — 204; 409 while an agency may still ask for the scope.</summary>
    public static async Task<IResult> DeleteAsync(
        string name, HttpContext context, IOpenIddictScopeManager scopes, AdminChangeLog changes, OnePassDbContext db,
        CancellationToken cancellationToken)
    {
        var query = AdminApiQuery.Read(context.Request, "version");
        var version = query.Text("version", MaxVersionLength);
        if (query.Error is { } queryError)
        {
            return queryError;
        }

        if (ScopeClaims.IsBuiltIn(name))
        {
            return BuiltInIsReadOnly(name);
        }

        if (version is null)
        {
            return AdminApiError.InvalidRequest("The 'version' parameter is required: the version read with the scope.");
        }

        if (await scopes.FindByNameAsync(name, cancellationToken) is not { } scope)
        {
            return NotFound(name);
        }

        if (!string.Equals(version, VersionOf(scope), StringComparison.Ordinal))
        {
            return Stale(name);
        }

        var agencies = await AgenciesPermittedAsync(db, name, cancellationToken);
        if (agencies.Count > 0)
        {
            return AdminApiError.Conflict(
                $"The scope '{name}' is still granted to these agencies: {string.Join(", ", agencies)}. Remove it from them first.");
        }

        changes.Add(context, "scope.delete", TargetType, name, await RecordAsync(scopes, scope, cancellationToken), after: null);
        try
        {
            await scopes.DeleteAsync(scope, cancellationToken);
        }
        catch (OpenIddictExceptions.ConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return Stale(name);
        }

        return Results.NoContent();
    }

    /// <summary>The client ids whose permissions include <c>scp:{name}</c>, by client id.</summary>
    private static async Task<IReadOnlyList<string>> AgenciesPermittedAsync(OnePassDbContext db, string name, CancellationToken cancellationToken)
    {
        // Permissions are a JSON array of strings; a scope name needs no escaping in JSON (see ScopeRules),
        // so the quoted permission narrows the rows and the parsed array decides.
        var permission = Permissions.Prefixes.Scope + name;
        var quoted = JsonSerializer.Serialize(permission);
        var candidates = await db.Set<OpenIddictEntityFrameworkCoreApplication<Guid>>().AsNoTracking()
            .Where(application => application.Permissions != null && application.Permissions.Contains(quoted))
            .Select(application => new { application.ClientId, application.Permissions })
            .ToListAsync(cancellationToken);
        return [.. candidates
            .Where(candidate => JsonSerializer.Deserialize<string[]>(candidate.Permissions!)?.Contains(permission, StringComparer.Ordinal) == true)
            .Select(candidate => candidate.ClientId ?? string.Empty)
            .Order(StringComparer.Ordinal)];
    }

    private static void Apply(ScopeRecord record, OpenIddictScopeDescriptor descriptor)
    {
        descriptor.DisplayName = record.DisplayName;
        descriptor.Description = record.Description;
        descriptor.Properties[ScopeClaims.ClaimsProperty] = JsonSerializer.SerializeToElement(record.Claims);
    }

    private static async Task<ScopeRecord> RecordAsync(IOpenIddictScopeManager scopes, object scope, CancellationToken cancellationToken) => new(
        await scopes.GetNameAsync(scope, cancellationToken) ?? string.Empty,
        await scopes.GetDisplayNameAsync(scope, cancellationToken) ?? string.Empty,
        await scopes.GetDescriptionAsync(scope, cancellationToken) ?? string.Empty,
        ScopeClaims.Read(await scopes.GetPropertiesAsync(scope, cancellationToken)));

    private static async Task<ScopeView> ViewAsync(IOpenIddictScopeManager scopes, object scope, CancellationToken cancellationToken)
    {
        var record = await RecordAsync(scopes, scope, cancellationToken);
        return new ScopeView(record.Name, record.DisplayName, record.Description, record.Claims, BuiltIn: false, VersionOf(scope));
    }

    /// <summary>The scope row's concurrency token, which the EF Core store checks and renews on every change.</summary>
    private static string? VersionOf(object scope) => (scope as OpenIddictEntityFrameworkCoreScope<Guid>)?.ConcurrencyToken;

    /// <summary>Reads a JSON body strictly: unknown members, wrong types and malformed JSON are a 400, never a 500.</summary>
    private static async Task<(T? Body, IResult? Error)> ReadBodyAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, AdminApiError.InvalidRequest("The body must be JSON (Content-Type: application/json)."));
        }

        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, BodyOptions, cancellationToken);
            return body is null ? (null, AdminApiError.InvalidRequest("The body must be a JSON object.")) : (body, null);
        }
        catch (JsonException exception)
        {
            return (null, AdminApiError.InvalidRequest($"The body is not valid for this call at {exception.Path ?? "$"}: " +
                "unknown members, wrong types and malformed JSON are refused."));
        }
    }

    private static IResult NotFound(string name) => AdminApiError.NotFound($"There is no scope named '{name}'.");

    private static IResult Stale(string name) =>
        AdminApiError.Conflict($"The scope '{name}' was changed since it was read; read it again and repeat the change.");

    private static IResult BuiltInIsReadOnly(string name) =>
        AdminApiError.InvalidRequest($"'{name}' is a built-in scope and cannot be changed or deleted.");
}
