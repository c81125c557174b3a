using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.AdminConsole.Infrastructure.AdminApi;
using OnePass.AdminConsole.Infrastructure.Web;

namespace OnePass.AdminConsole.Features.Users;

/// <summary>
/// /users/confirm/{id}/{operation}: the page before an action that takes something away from a user. The GET
/// only describes the action (nothing changes on a GET); the POST, with its antiforgery token, does it. The
/// <c>version</c> is the one the administrator saw on the user's page (or, without one, the one read here), so an
/// action on a user someone else changed meanwhile is refused with 409 rather than applied to a state nobody saw.
/// </summary>
public sealed class UserConfirmModel(AdminApiClient api) : PageModel
{
    public UserDetail Detail { get; private set; } = null!;

    public UserOperation Operation { get; private set; } = null!;

    /// <summary>The session to end (operation <c>end-session</c>).</summary>
    public UserSession? Session { get; private set; }

    [BindProperty]
    public UserActionInputModel Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(Guid id, string operation, string? version, string? session, CancellationToken cancellationToken)
    {
        if (UserOperation.Find(operation) is not { } found)
        {
            return NotFound();
        }

        Operation = found;
        Detail = await api.GetUserAsync(id, cancellationToken);
        Input = new UserActionInputModel { Version = string.IsNullOrEmpty(version) ? Detail.Version : version, SessionId = session };
        return FindSession() ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, string operation, CancellationToken cancellationToken)
    {
        if (UserOperation.Find(operation) is not { } found)
        {
            return NotFound();
        }

        Operation = found;
        if (Operation.NeedsVersion && string.IsNullOrEmpty(Input.Version))
        {
            ModelState.AddModelError(string.Empty, "The form was incomplete. Go back to the user and try again.");
        }
        else
        {
            try
            {
                await RunAsync(id, cancellationToken);
                TempData.SetStatus(Operation.Done);
                return Operation.Name == UserOperation.Delete.Name ? RedirectToPage("Index") : RedirectToPage("Details", new { id });
            }
            catch (AdminApiConflictException exception)
            {
                ModelState.AddUserConflict(exception);
            }
            catch (AdminApiValidationException exception)
            {
                ModelState.AddApiErrors(exception);
            }
            catch (AdminApiNotFoundException) when (Operation.Name == UserOperation.EndSession.Name)
            {
                // The session ended meanwhile (or the user signed out): nothing left to do.
                TempData.SetStatus("That session had already ended.");
                return RedirectToPage("Details", new { id });
            }
        }

        Detail = await api.GetUserAsync(id, cancellationToken);
        FindSession();
        return Page();
    }

    private Task RunAsync(Guid id, CancellationToken cancellationToken) => Operation.Name switch
    {
        "disable" => api.DisableUserAsync(id, Input.Version!, cancellationToken),
        "reset-mfa" => api.ResetMfaAsync(id, Input.Version!, cancellationToken),
        "delete" => api.DeleteUserAsync(id, Input.Version!, cancellationToken),
        "end-session" => api.EndUserSessionAsync(id, Input.SessionId ?? string.Empty, cancellationToken),
        "end-all-sessions" => api.EndUserSessionsAsync(id, cancellationToken),
        _ => throw new InvalidOperationException("Unknown user operation."),
    };

    /// <summary>For <c>end-session</c>, the session named must be one of the user's live ones.</summary>
    private bool FindSession()
    {
        if (Operation.Name != UserOperation.EndSession.Name)
        {
            return true;
        }

        Session = Detail.Sessions?.FirstOrDefault(s => string.Equals(s.Id, Input.SessionId, StringComparison.Ordinal));
        return Session is not null;
    }
}

/// <summary>An action behind a confirmation: what the page asks, what it warns about, what the button says.</summary>
public sealed record UserOperation(string Name, string Title, string Consequence, string Button, string Done, bool NeedsVersion)
{
    public static readonly UserOperation Disable = new(
        "disable", "Disable this account?",
        "The user can no longer sign in. Every session ends now, every agency it signed into is told (single logout), and the user's tokens stop working. You can enable the account again later.",
        "Disable account", "The account is disabled and its sessions have ended.", NeedsVersion: true);

    public static readonly UserOperation ResetMfa = new(
        "reset-mfa", "Reset multi-factor sign-in?",
        "The authenticator app, every recovery code and every passkey are removed, and every session ends. The user signs in with their password and sets up a second factor again. Do this only after checking who is asking.",
        "Reset multi-factor sign-in", "Multi-factor sign-in is reset and the user's sessions have ended.", NeedsVersion: true);

    public static readonly UserOperation Delete = new(
        "delete", "Delete this account?",
        "The account is deleted with its sessions (single logout), consents and tokens. This cannot be undone. Sign-in events stay in the audit trail.",
        "Delete account", "The account is deleted.", NeedsVersion: true);

    public static readonly UserOperation EndSession = new(
        "end-session", "End this session?",
        "The user is signed out of this session and of every agency it signed into (single logout).",
        "End session", "The session has ended.", NeedsVersion: false);

    public static readonly UserOperation EndAllSessions = new(
        "end-all-sessions", "End all of this user's sessions?",
        "The user is signed out everywhere, and every agency their sessions signed into is told (single logout).",
        "End all sessions", "All the user's sessions have ended.", NeedsVersion: false);

    public static readonly IReadOnlyList<UserOperation> All = [Disable, ResetMfa, Delete, EndSession, EndAllSessions];

    public static UserOperation? Find(string? name) => All.FirstOrDefault(operation => string.Equals(operation.Name, name, StringComparison.Ordinal));
}
