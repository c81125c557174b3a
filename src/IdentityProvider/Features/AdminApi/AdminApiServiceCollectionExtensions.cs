using Microsoft.AspNetCore.Authorization;
using OnePass.IdentityProvider.Features.AdminApi.Audit;
using OpenIddict.Validation.AspNetCore;

namespace OnePass.IdentityProvider.Features.AdminApi;

/// <summary>
/// The admin API under <c>/api/admin/</c> (CONTRACT §1): JSON only, bearer access tokens issued by OnePass
/// itself and read by OpenIddict's local validation (token and authorization entries checked, so a
/// revoked token stops at once). No cookie is accepted, so a signed-in administrator's browser cannot be
/// made to call it from another site (CATALOGUE IN-AD-06). 401 without a valid token, 403 without the
/// <see cref="Scope"/> scope, the <see cref="Role"/> role and an account that may still sign in.
/// </summary>
public static class AdminApiServiceCollectionExtensions
{
    public const string BasePath = "/api/admin";

    /// <summary>The scope an administration tool asks for; registered with the OpenIddict server.</summary>
    public const string Scope = "onepass.admin";

    /// <summary>The role (claim <c>role</c> in the access token) every call needs.</summary>
    public const string Role = "admin";

    public const string PolicyName = "onepass.admin";

    public static IHostApplicationBuilder AddOnePassAdminApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<IAuthorizationHandler, RequireActiveAdministrator>();
        builder.Services.AddScoped<AdminChangeLog>();
        builder.Services.AddOnePassAdminApiDocument();
        builder.Services.AddOnePassAudit();
        builder.Services.AddAuthorizationBuilder().AddPolicy(PolicyName, policy => policy
            // Only the bearer token counts: the Identity cookie is never read on this API.
            .AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .AddRequirements(new AdministratorRequirement()));
        return builder;
    }

    public static IEndpointRouteBuilder MapOnePassAdminApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi("/openapi/{documentName}.json");
        var admin = endpoints.MapGroup(BasePath).RequireAuthorization(PolicyName);
        LogoutNotificationEndpoints.Map(admin);
        Users.UserEndpoints.Map(admin);
        Audit.AuditServiceCollectionExtensions.MapAudit(admin);
        CustomScopes.ScopeEndpoints.Map(admin);
        Agencies.AgencyEndpoints.Map(admin);
        Agencies.AgencySecretEndpoints.Map(admin);
        Agencies.AgencyLogoEndpoints.Map(admin);
        Agencies.AgencyLogoEndpoints.MapOnePassAgencyLogos(endpoints); // public: GET /agency-logos/{clientId}, outside the admin group
        return endpoints;
    }
}
