using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.AdminApi;

/// <summary>The caller is an administrator acting through a token granted the admin scope.</summary>
public sealed class AdministratorRequirement : IAuthorizationRequirement;

/// <summary>
/// Checked on every call: the access token carries the <c>onepass.admin</c> scope and the <c>admin</c>
/// role, and the user behind it still exists, may still sign in and still holds the role — so disabling
/// an administrator or taking the role away takes effect before their token expires.
/// </summary>
public sealed class RequireActiveAdministrator(TokenUsers tokenUsers, UserManager<OnePassUser> users)
    : AuthorizationHandler<AdministratorRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AdministratorRequirement requirement)
    {
        var principal = context.User;
        if (!principal.HasScope(AdminApiServiceCollectionExtensions.Scope) ||
            !principal.HasClaim(Claims.Role, AdminApiServiceCollectionExtensions.Role))
        {
            return;
        }

        var cancellationToken = context.Resource is HttpContext http ? http.RequestAborted : CancellationToken.None;

        // A client_credentials token has no user behind it, so it never gets here as an administrator.
        var user = await tokenUsers.FindActiveAsync(principal, cancellationToken);
        if (user is not null && await users.IsInRoleAsync(user, AdminApiServiceCollectionExtensions.Role))
        {
            if (context.Resource is HttpContext httpContext)
            {
                AdminCaller.Set(httpContext, new AdminCaller(user.Id, user.UserName ?? user.Id.ToString()));
            }

            context.Succeed(requirement);
        }
    }
}
