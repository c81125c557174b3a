using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.AdminApi.Audit;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.IdentityProvider.Features.Site;
using OpenIddict.Abstractions;

namespace OnePass.IdentityProvider.Features.Account;

/// <summary>
/// "Recent activity" (issue 6 item 3): the signed-in citizen's own sign-in history from the
/// authentication events — time, agency, method, device, IP address and outcome — newest first, 50 a
/// page; and "this wasn't me", which ends every session of the citizen (with single logout), makes
/// every refresh token and cookie of theirs unusable, records the report and asks them to sign in again
/// and change their password. Every query filters by the signed-in user's id: nothing of another citizen
/// is reachable, whatever the query string says.
/// </summary>
[Authorize(AuthenticationSchemes = SignInScheme)]
public sealed class ActivityModel(
    OnePassDbContext db,
    IOpenIddictApplicationManager applications,
    IOpenIddictTokenManager tokens,
    UserManager<OnePassUser> users,
    SsoSessionStore sessions,
    AuthAudit audit) : PageModel
{
    public const string PagePath = "/account/activity";
    public const string ReportedPath = "/account/activity/reported";
    public const int PageSize = 50;

    /// <summary>Further than this is a malformed request (50,000 events back), not a page.</summary>
    public const int MaxPage = 1000;

    /// <summary>The <see cref="AuthEvent.Method"/> and <see cref="AuthEvent.Outcome"/> of a "this wasn't me" report.</summary>
    public const string ReportMethod = "report";
    public const string ReportOutcome = "not-me";

    // IdentityConstants.ApplicationScheme (not a constant): not signed in, the cookie handler redirects to the login page.
    private const string SignInScheme = "Identity.Application";

    private static readonly string[] Outcomes = [AuthAudit.Success, .. SignInStatistics.FailureOutcomes];

    public IReadOnlyList<ActivityView> Events { get; private set; } = [];

    public int PageNumber { get; private set; } = 1;

    public bool HasOlder { get; private set; }

    /// <summary>A key of <see cref="Texts"/> for a refused request (a malformed page number).</summary>
    public string? ErrorMessage { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (SessionInfo.UserIdOf(User) is not { } userId)
        {
            return Forbid();
        }

        // Read as sent (model binding would turn "page=" into no page and pick one of two values).
        var page = Request.Query["page"];
        var number = 1;
        var valid = page.Count <= 1 && TryReadPage(page.Count == 0 ? null : page[0] ?? string.Empty, out number);
        PageNumber = valid ? number : 1;
        await LoadAsync(userId, HttpContext.RequestAborted);
        if (!valid)
        {
            // The first page, with a message: never an error page for a hand-edited link.
            ErrorMessage = "activity.badPage";
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        return Page();
    }

    /// <summary>
    /// "This wasn't me". Antiforgery is checked by Razor Pages before this runs (a POST without a valid
    /// token is a 400). Not cancelled when the browser goes away: half of it would leave a thief signed in.
    /// </summary>
    public async Task<IActionResult> OnPostAsync()
    {
        if (SessionInfo.UserIdOf(User) is not { } userId || await users.FindByIdAsync(userId.ToString()) is not { } user)
        {
            return Forbid();
        }

        // A new security stamp: every refresh token (offline ones too) fails at the token endpoint, and
        // any cookie still around fails Identity's stamp check. Then every token is marked revoked, and
        // every session ends, this one included, with back-channel logout to its agencies.
        await users.UpdateSecurityStampAsync(user);
        await tokens.RevokeBySubjectAsync(userId.ToString(), CancellationToken.None);
        await sessions.EndAllForUserAsync(userId, SessionEndReason.ReportedByUser, except: null, CancellationToken.None);
        await audit.RecordAsync(HttpContext, userId, ReportMethod, ReportOutcome);

        // The session is gone already; this only removes the cookie from the browser.
        await HttpContext.SignOutAsync(SignInScheme);
        return new SeeOtherResult(ReportedPath);
    }

    /// <summary>A page number as typed in a link: digits only, 1 to <see cref="MaxPage"/>; absent (null) means 1.</summary>
    public static bool TryReadPage(string? value, out int page)
    {
        page = 1;
        return value is null ||
            (value.Length <= 4 && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out page) && page is >= 1 and <= MaxPage);
    }

    private async Task LoadAsync(Guid userId, CancellationToken cancellationToken)
    {
        // One more than a page: whether there is an older page, without counting them all.
        var rows = await db.AuthEvents.AsNoTracking()
            .Where(e => e.UserId == userId && SignInStatistics.SignInMethods.Contains(e.Method) && Outcomes.Contains(e.Outcome))
            .OrderByDescending(e => e.Time)
            .ThenByDescending(e => e.Id)
            .Skip((PageNumber - 1) * PageSize)
            .Take(PageSize + 1)
            .ToListAsync(cancellationToken);
        HasOlder = rows.Count > PageSize;

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var views = new List<ActivityView>(Math.Min(rows.Count, PageSize));
        foreach (var row in rows.Take(PageSize))
        {
            var agency = Texts.Get("activity.onePass");
            if (row.ClientId is { } clientId)
            {
                if (!names.TryGetValue(clientId, out var name))
                {
                    name = await AgencyNameAsync(clientId, cancellationToken);
                    names[clientId] = name;
                }

                agency = name;
            }

            views.Add(new ActivityView(
                row.Time,
                agency,
                MethodText(row.Method),
                UserAgentDescription.Describe(row.UserAgent),
                row.IpAddress,
                row.Outcome == AuthAudit.Success,
                OutcomeText(row.Outcome)));
        }

        Events = views;
    }

    // The client id of an event comes from the sign-in's return URL, which anyone can write: only a
    // registered agency's name is shown, never the text itself.
    private async Task<string> AgencyNameAsync(string clientId, CancellationToken cancellationToken) =>
        await applications.FindByClientIdAsync(clientId, cancellationToken) is { } application
            ? await applications.GetLocalizedDisplayNameAsync(application, cancellationToken) ?? clientId
            : Texts.Get("activity.unknownAgency");

    public static string MethodText(string method) => method switch
    {
        AuthenticationMethods.Password => Texts.Get("activity.method.password"),
        AuthenticationMethods.OneTimePassword => Texts.Get("activity.method.authenticator"),
        "recovery" => Texts.Get("activity.method.recovery"),
        "passkey" => Texts.Get("activity.method.passkey"),
        AuthAudit.SessionReused => Texts.Get("activity.method.sso"),
        _ => Texts.Get("activity.method.other"),
    };

    public static string OutcomeText(string outcome) => outcome switch
    {
        AuthAudit.Success => Texts.Get("activity.outcome.success"),
        "locked" => Texts.Get("activity.outcome.locked"),
        "replay" => Texts.Get("activity.outcome.replay"),
        "insufficient" => Texts.Get("activity.outcome.insufficient"),
        _ => Texts.Get("activity.outcome.failure"),
    };
}

/// <summary>One sign-in event, as shown.</summary>
public sealed record ActivityView(
    DateTimeOffset Time,
    string Agency,
    string Method,
    string Device,
    string? IpAddress,
    bool Succeeded,
    string Outcome);
