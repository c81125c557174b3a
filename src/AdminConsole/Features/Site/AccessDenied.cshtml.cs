using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.AdminConsole.Infrastructure.Authentication;

namespace OnePass.AdminConsole.Features.Site;

/// <summary>Where the console sends a signed-in user it cannot serve, saying why.</summary>
[AllowAnonymous]
public sealed class AccessDeniedModel : PageModel
{
    public string Reason { get; private set; } = string.Empty;

    public void OnGet(string? reason)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        Reason = reason switch
        {
            "sign-in-failed" => "The sign-in at OnePass did not complete (it was cancelled, or the account could not reach the required level of assurance).",
            "api-forbidden" => "OnePass refused this account's access to the admin API: it may no longer hold the administrator role.",
            _ when User.Identity?.IsAuthenticated != true => "You are not signed in.",
            _ when !AdminPolicy.HasAdminRole(User) => "Your account does not have the administrator role. Ask an administrator to grant it.",
            _ when !AdminPolicy.HasAcceptedAcr(User) => "The console needs a sign-in with two factors (a one-time code or a passkey). Your current sign-in used one factor only.",
            _ => "Your account cannot use this page.",
        };
    }
}
