using OnePass.AdminConsole.Infrastructure.AdminApi;

namespace OnePass.AdminConsole.Features.Scopes;

public static class ScopeScreens
{
    /// <summary>The claims OnePass holds about a citizen, from which a custom scope releases some (docs/admin-api.md).</summary>
    public static readonly IReadOnlyList<string> ReleasableClaims = ["name", "preferred_username", "email", "email_verified"];

    /// <summary>The scope screens, and the <see cref="ScopeCatalog"/> the agency forms use for their scope checkboxes.</summary>
    public static WebApplicationBuilder AddScopeScreens(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ScopeCatalog>();
        return builder;
    }
}

/// <summary>The scopes registered in OnePass, read once per request (GET /api/admin/scopes).</summary>
public sealed class ScopeCatalog(AdminApiClient api)
{
    private Task<IReadOnlyList<Scope>>? _scopes;

    public Task<IReadOnlyList<Scope>> AllAsync(CancellationToken cancellationToken = default) =>
        _scopes ??= api.ListScopesAsync(cancellationToken);
}
