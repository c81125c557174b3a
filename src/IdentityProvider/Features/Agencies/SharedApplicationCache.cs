using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;

namespace OnePass.IdentityProvider.Features.Agencies;

/// <summary>
/// OpenIddict's application cache for one request, backed by the node-wide <see cref="AgencyCache"/> instead of a
/// new memory cache per request (OpenIddict's default, which also queried the database on every request).
/// <para>
/// A cached agency is handed out as a fresh copy attached to the request's context as unchanged, exactly as if the
/// request had just read the row: later queries of the request resolve to that same instance, storing a token or an
/// authorization finds the application in the context instead of selecting it again, and an update by the manager
/// saves it with its concurrency token (an out-of-date copy fails the update as a concurrent change would).
/// </para>
/// </summary>
public sealed class SharedApplicationCache(
    AgencyCache agencies,
    IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication<Guid>> store,
    OnePassDbContext db) : IOpenIddictApplicationCache<OpenIddictEntityFrameworkCoreApplication<Guid>>
{
    public async ValueTask<OpenIddictEntityFrameworkCoreApplication<Guid>?> FindByClientIdAsync(string identifier, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        if (agencies.Find(identifier) is { } snapshot)
        {
            return InContext(snapshot);
        }

        var generation = agencies.Generation;
        var application = await store.FindByClientIdAsync(identifier, cancellationToken);
        Keep(application, generation);
        return application;
    }

    public async ValueTask<OpenIddictEntityFrameworkCoreApplication<Guid>?> FindByIdAsync(string identifier, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        if (Guid.TryParse(identifier, out var id) && agencies.Find(id) is { } snapshot)
        {
            return InContext(snapshot);
        }

        var generation = agencies.Generation;
        var application = await store.FindByIdAsync(identifier, cancellationToken);
        Keep(application, generation);
        return application;
    }

    // Rare (end-session, redirect checks by URI): straight to the store.
    public IAsyncEnumerable<OpenIddictEntityFrameworkCoreApplication<Guid>> FindByPostLogoutRedirectUriAsync(string uri, CancellationToken cancellationToken) =>
        store.FindByPostLogoutRedirectUriAsync(uri, cancellationToken);

    public IAsyncEnumerable<OpenIddictEntityFrameworkCoreApplication<Guid>> FindByRedirectUriAsync(string uri, CancellationToken cancellationToken) =>
        store.FindByRedirectUriAsync(uri, cancellationToken);

    // The manager calls this after creating or updating an application; the next lookup reads the saved row.
    public ValueTask AddAsync(OpenIddictEntityFrameworkCoreApplication<Guid> application, CancellationToken cancellationToken)
    {
        agencies.Invalidate(application.ClientId);
        return ValueTask.CompletedTask;
    }

    // The manager calls this after updating or deleting an application: every node must stop using its old copy.
    public async ValueTask RemoveAsync(OpenIddictEntityFrameworkCoreApplication<Guid> application, CancellationToken cancellationToken) =>
        await agencies.InvalidateEverywhereAsync(application.ClientId, cancellationToken);

    // The request's own instance: the one its context already tracks, else a copy of the snapshot attached unchanged.
    private OpenIddictEntityFrameworkCoreApplication<Guid> InContext(OpenIddictEntityFrameworkCoreApplication<Guid> snapshot)
    {
        var applications = db.Set<OpenIddictEntityFrameworkCoreApplication<Guid>>();
        if (applications.Local.FindEntry(snapshot.Id) is { } tracked)
        {
            return tracked.Entity;
        }

        var copy = new OpenIddictEntityFrameworkCoreApplication<Guid>();
        var entry = db.Entry(copy);
        entry.CurrentValues.SetValues(snapshot);
        entry.State = EntityState.Unchanged;
        return copy;
    }

    private void Keep(OpenIddictEntityFrameworkCoreApplication<Guid>? application, long generation)
    {
        if (application is not null && db.Entry(application).State == EntityState.Unchanged)
        {
            agencies.Keep((OpenIddictEntityFrameworkCoreApplication<Guid>)db.Entry(application).OriginalValues.ToObject(), generation);
        }
    }
}
