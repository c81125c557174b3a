using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.AdminConsole.Infrastructure.Authentication;

namespace OnePass.AdminConsole.Features.Site;

/// <summary>
/// Sign-out (a POST with antiforgery, so another site cannot sign an administrator out): the cookie scheme removes
/// the server-side session; the OpenID Connect scheme sends the browser to OnePass's end-session endpoint with the
/// ID token as hint (RP-Initiated Logout 1.0 §2), which ends the OnePass session and comes back to /signed-out.
/// Open to any signed-in user, so that a non-administrator can leave from the access-denied page.
/// </summary>
[AllowAnonymous]
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => User.Identity?.IsAuthenticated == true ? Page() : Redirect(ConsoleAuthentication.SignedOutPath);

    public IActionResult OnPost() => User.Identity?.IsAuthenticated == true
        ? SignOut(new AuthenticationProperties { RedirectUri = ConsoleAuthentication.SignedOutPath },
            CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme)
        : Redirect(ConsoleAuthentication.SignedOutPath);
}
