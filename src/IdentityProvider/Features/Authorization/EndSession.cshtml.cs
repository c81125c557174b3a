using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.IdentityProvider.Infrastructure.Security;
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
public sealed class EndSessionModel(
    SignInManager<OnePassUser> signIns,
    SingleLogout singleLogout,
    SubjectIdentifiers subjects,
    IOpenIddictApplicationManager applications,
    IAntiforgery antiforgery) : PageModel
{
    public IReadOnlyDictionary<string, string> Parameters { get; private set; } = new Dictionary<string, string>();

    /// <summary>Front-channel logout iframes to show before returning (Front-Channel Logout 1.0); empty otherwise.</summary>
    public IReadOnlyList<string> FrontChannelUris { get; private set; } = [];

    /// <summary>The display name of the agency that sent the citizen here, when the request names one (shown as text).</summary>
    public string? AgencyName { get; private set; }

    /// <summary>Where the browser goes once the iframes have loaded.</summary>
    public string ContinueUri { get; private set; } = SignedOutPath;

    private const string SignedOutPath = "/account/signed-out";

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

            return Request.Form["logout"] == "yes" ? await SignOutAsync(request) : LocalRedirect("/");
        }

        var session = await HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (!session.Succeeded)
        {
            return await SignOutAsync(request); // nothing to protect: just return to the agency
        }

        if (request.IdTokenHint is not null && SessionInfo.From(session.Principal!) is { } current)
        {
            // The hint's sid is the one its agency knows for this session: recompute it for that agency.
            var hint = await HttpContext.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var hintSession = hint.Principal?.GetClaim(SessionClaims.SessionId);
            var agency = hint.Principal?.GetAudiences().FirstOrDefault();
            if (hintSession is not null && agency is not null && hintSession == subjects.SessionIdFor(current.Sid, agency))
            {
                return await SignOutAsync(request);
            }
        }

        Parameters = PassthroughHelpers.EchoParameters(Request, "logout");
        if (request.ClientId is { Length: > 0 } clientId &&
            await applications.FindByClientIdAsync(clientId, HttpContext.RequestAborted) is { } application)
        {
            AgencyName = await applications.GetLocalizedDisplayNameAsync(application, HttpContext.RequestAborted) ?? clientId;
        }

        return Page();
    }

    private async Task<IActionResult> SignOutAsync(OpenIddictRequest request)
    {
        // Ends the SSO session; its store queues the back-channel logout of every agency it signed into.
        await signIns.SignOutAsync();

        var ended = SingleLogout.EndedIn(HttpContext);
        FrontChannelUris = ended is null ? [] : await singleLogout.FrontChannelUrisAsync(ended, HttpContext);
        if (FrontChannelUris.Count == 0)
        {
            // OpenIddict returns to the validated post_logout_redirect_uri (with state), else to our page.
            return SignOut(
                new AuthenticationProperties { RedirectUri = SignedOutPath },
                OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        // Front-channel: a page framing each agency's logout URI, then on to where OpenIddict would have
        // gone (it validated post_logout_redirect_uri against the agency's registration).
        ContinueUri = request.PostLogoutRedirectUri is { } uri
            ? (request.State is { } state ? QueryHelpers.AddQueryString(uri, "state", state) : uri)
            : SignedOutPath;
        SecurityHeaders.AllowFrames(HttpContext, FrontChannelUris.Select(frame => new Uri(frame).GetLeftPart(UriPartial.Authority)));
        return Page();
    }
}
