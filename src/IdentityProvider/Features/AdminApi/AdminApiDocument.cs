namespace OnePass.IdentityProvider.Features.AdminApi;

/// <summary>
/// The admin API's OpenAPI document at <c>/openapi/v1.json</c> (CONTRACT §1), generated from the endpoints'
/// metadata by Microsoft.AspNetCore.OpenApi; only <c>/api/admin</c> endpoints are described.
/// </summary>
public static class AdminApiDocument
{
    public const string Name = "v1";

    public static IServiceCollection AddOnePassAdminApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(Name, options =>
        {
            options.ShouldInclude = description =>
                description.RelativePath?.StartsWith(AdminApiServiceCollectionExtensions.BasePath.TrimStart('/'), StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "OnePass admin API";
                document.Info.Description =
                    "Administration of agencies, scopes, users and the audit trail. Bearer access tokens issued by OnePass " +
                    "with scope onepass.admin, to users with the admin role. Reference: docs/admin-api.md.";
                return Task.CompletedTask;
            });
        });
}
