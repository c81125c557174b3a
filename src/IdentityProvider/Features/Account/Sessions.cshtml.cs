using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.IdentityProvider.Features.Site;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.Account;

/// <summary>
/// "Where you're signed in" (issue 3): the citizen's live SSO sessions, with "sign out" for each other
/// session and "sign out everywhere else". Only sessions found in the signed-in user's own list are
/// ever ended: an id from anywhere else (another user's, unknown, malformed) changes nothing and gets
/// the same 303 as a success, so the form is no oracle for other people's session ids. The current
/// session is not offered here: signing out of it goes through /connect/endsession, which also runs
/// the front-channel logout.
/// </summary>
[Authorize(AuthenticationSchemes = SignInScheme)]
public sealed class SessionsModel(SsoSessionStore sessions, IOpenIddictApplicationManager applications) : PageModel
{
    public const string PagePath = "/account/sessions";

    // IdentityConstants.ApplicationScheme, which is not a constant: the SSO session cookie. Not signed in,
    // its handler redirects to /account/login?ReturnUrl=/account/sessions (the cookie's LoginPath).
    private const string SignInScheme = "Identity.Application";

    public IReadOnlyList<SessionViewModel> Sessions { get; private set; } = [];

    /// <summary>True when there is at least one session other than this one ("sign out everywhere else" is offered).</summary>
    public bool HasOthers => Sessions.Any(session => !session.IsCurrent);

    public async Task<IActionResult> OnGetAsync()
    {
        if (Current() is not { } current)
        {
            return Forbid();
        }

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var list = new List<SessionViewModel>();
        foreach (var session in await sessions.ListForUserAsync(current.UserId, HttpContext.RequestAborted))
        {
            var agencies = new List<string>();
            foreach (var clientId in session.Agencies.Order(StringComparer.Ordinal))
            {
                if (!names.TryGetValue(clientId, out var name))
                {
                    name = await DisplayNameAsync(clientId);
                    names[clientId] = name;
                }

                agencies.Add(name);
            }

            list.Add(new SessionViewModel(
                session.Id,
                IsCurrent: session.Id == current.SessionId,
                UserAgentDescription.Describe(session.UserAgent),
                session.IpAddress,
                session.CreatedAt,
                session.LastSeenAt,
                [.. agencies.Order(StringComparer.CurrentCulture)]));
        }

        // This device first, then the others as the store orders them (most recently seen first).
        Sessions = [.. list.Where(session => session.IsCurrent), .. list.Where(session => !session.IsCurrent)];
        return Page();
    }

    /// <summary>
    /// One form per other session (<c>session</c> = its id) and one for all others (<c>others</c>).
    /// Antiforgery is checked by Razor Pages before this runs (a POST without a valid token is a 400).
    /// </summary>
    public async Task<IActionResult> OnPostAsync([FromForm(Name = "session")] string? session, [FromForm(Name = "others")] string? others)
    {
        if (Current() is not { } current)
        {
            return Forbid();
        }

        // Ending is not cancelled when the browser goes away: a session taken from storage must still
        // have its agencies notified (single logout), so no cancellation token past that point.
        if (others is not null)
        {
            await sessions.EndAllForUserAsync(current.UserId, SessionEndReason.EndedByUser, except: current.SessionId, CancellationToken.None);
        }
        else if (session is not null)
        {
            // Ownership first: the id must be one of this user's sessions, and not this one. Anything
            // else is a quiet no-op (never a lookup of someone else's session, never a different answer).
            if (SsoSessionStore.IsSessionId(session) && session != current.SessionId)
            {
                var own = await sessions.ListForUserAsync(current.UserId, HttpContext.RequestAborted);
                if (own.Any(candidate => candidate.Id == session))
                {
                    await sessions.EndAsync(session, SessionEndReason.EndedByUser, HttpContext, CancellationToken.None);
                }
            }
        }
        else
        {
            return BadRequest();
        }

        // 303: the browser shows the list again with a GET (a reload never re-posts).
        return new SeeOtherResult(PagePath);
    }

    private (Guid UserId, string SessionId)? Current() =>
        SessionInfo.UserIdOf(User) is { } userId && SessionInfo.From(User) is { } info
            ? (userId, info.SessionId)
            : null;

    private async Task<string> DisplayNameAsync(string clientId)
    {
        var application = await applications.FindByClientIdAsync(clientId, HttpContext.RequestAborted);
        return application is null
            ? clientId
            : await applications.GetLocalizedDisplayNameAsync(application, HttpContext.RequestAborted) ?? clientId;
    }
}

/// <summary>One row of the list, as shown.</summary>
public sealed record SessionViewModel(
    string Id,
    bool IsCurrent,
    string Device,
    string? IpAddress,
    DateTimeOffset StartedAt,
    DateTimeOffset LastSeenAt,
    IReadOnlyList<string> Agencies)
{
    /// <summary>For the <c>datetime</c> attribute (RFC 3339, UTC).</summary>
    public static string MachineTime(DateTimeOffset time) => CitizenTime.Machine(time);

    /// <summary>As text, in the citizen's language and time zone.</summary>
    public static string ShownTime(DateTimeOffset time) => CitizenTime.Shown(time);
}

/// <summary>
/// A short, readable description of a user agent ("Firefox on Windows") from a few simple rules: no
/// parsing library, and nothing of the raw header is shown, so a forged header cannot put text on the page.
/// </summary>
public static class UserAgentDescription
{
    // Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", iPads and iPhones also say "Mac OS X".
    private static readonly (string Token, string Name)[] Browsers =
    [
        ("Edg", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ];

    private static readonly (string Token, string Name)[] Systems =
    [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("CrOS", "ChromeOS"),
        ("Macintosh", "macOS"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];

    public static string Describe(string? userAgent)
    {
        var browser = Find(Browsers, userAgent);
        var system = Find(Systems, userAgent);
        return (browser, system) switch
        {
            (not null, not null) => Texts.Format("sessions.device", browser, system),
            (not null, null) => browser,
            _ => Texts.Get("sessions.unknownBrowser"),
        };
    }

    private static string? Find((string Token, string Name)[] rules, string? userAgent) =>
        string.IsNullOrEmpty(userAgent)
            ? null
            : rules.FirstOrDefault(rule => userAgent.Contains(rule.Token, StringComparison.Ordinal)).Name;
}
