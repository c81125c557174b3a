using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OnePass.IdentityProvider.Features.AdminApi;

/// <summary>
/// The browsable admin API reference (issue 5), Development only: the same OpenAPI document as
/// <c>/openapi/v1.json</c>, rendered on the server as plain HTML, so it needs no script (and so no CSP
/// exception) and no third-party UI bundle.
/// </summary>
public sealed class ApiReferenceModel(IWebHostEnvironment environment, [FromKeyedServices(AdminApiDocument.Name)] IOpenApiDocumentProvider documents)
    : PageModel
{
    public OpenApiDocument Document { get; private set; } = new();

    /// <summary>Operations grouped by their first tag, in path order.</summary>
    public IReadOnlyList<IGrouping<string, ApiOperation>> Groups { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment())
        {
            return NotFound();
        }

        Document = await documents.GetOpenApiDocumentAsync(cancellationToken);
        Groups = [.. (Document.Paths ?? [])
            .OrderBy(path => path.Key, StringComparer.Ordinal)
            .SelectMany(path => (path.Value.Operations ?? []).Select(operation => new ApiOperation(
                operation.Key.Method, path.Key, operation.Value)))
            .GroupBy(operation => operation.Operation.Tags?.FirstOrDefault()?.Name ?? "Other")];
        return Page();
    }
}

public sealed record ApiOperation(string Method, string Path, OpenApiOperation Operation);
