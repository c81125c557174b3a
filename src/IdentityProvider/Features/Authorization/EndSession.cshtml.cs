using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.IdentityProvider.Data;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;

namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>
/// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). OpenIddict has validated
/// <c>id_token_hint</c> and <c>post_logout_redirect_uri</c>. With a valid hint for this session (or no
/// session at all) the citizen is signed out at once; otherwise a confirmation form is shown, so a
/// cross-site <c>&lt;img src=…&gt;</c> cannot sign anyone out (CATALOGUE IN-ES-02, AT-29).
/// </summary>
[IgnoreAntiforgeryToken] // agencies may POST; the confirmation form is checked below.
public sealed class EndSessionModel(SignInManager<OnePassUser> signIns, IAntiforgery antiforgery) : PageModel
{
    public IReadOnlyDictionary<string, string> Parameters { get; private set; } = new Dictionary<string, string>();

    public Task<IActionResult> OnGetAsync() => HandleAsync();

    public Task<IActionResult> OnPostAsync() => HandleAsync();

    private async Task<IActionResult> HandleAsync()
    {
        var request = HttpContext.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        if (HttpMethods.IsPost(Request.Method) && Request.HasFormContentType && Request.Form.ContainsKey("logout"))
        {
            if (!await antiforgery.IsRequestValidAsync(HttpContext))
            {
                return PassthroughHelpers.BadRequestPage("The sign-out form was not valid.");
            }

            return Request.Form["logout"] == "yes" ? await SignOutEverywhereAsync() : LocalRedirect("/");
        }

        var session = await HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (!session.Succeeded)
        {
            return await SignOutEverywhereAsync(); // nothing to protect: just return to the agency
        }

        if (request.IdTokenHint is not null)
        {
            var hint = await HttpContext.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var hintSession = hint.Principal?.GetClaim(SessionClaims.SessionId);
            if (hintSession is not null && hintSession == session.Principal?.FindFirstValue(SessionClaims.SessionId))
            {
                return await SignOutEverywhereAsync();
            }
        }

        Parameters = PassthroughHelpers.EchoParameters(Request, "logout");
        return Page();
    }

    private async Task<IActionResult> SignOutEverywhereAsync()
    {
        await signIns.SignOutAsync();

        // OpenIddict returns to the validated post_logout_redirect_uri (with state), else to our page.
        return SignOut(
            new AuthenticationProperties { RedirectUri = "/account/signed-out" },
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}
