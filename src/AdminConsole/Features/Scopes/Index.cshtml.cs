using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.AdminConsole.Infrastructure.AdminApi;

namespace OnePass.AdminConsole.Features.Scopes;

/// <summary>Every scope: the built-in ones (read-only) and the custom ones, which link to their edit page.</summary>
public sealed class IndexModel(ScopeCatalog catalog) : PageModel
{
    public IReadOnlyList<Scope> Scopes { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Scopes = [.. (await catalog.AllAsync(cancellationToken)).OrderBy(s => s.IsReadOnly ? 0 : 1).ThenBy(s => s.Name, StringComparer.Ordinal)];
}
