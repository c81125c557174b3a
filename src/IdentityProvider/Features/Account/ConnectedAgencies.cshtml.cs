using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.IdentityProvider.Features.Site;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.Account;

/// <summary>
/// "Connected agencies" (issue 6 item 3): every agency the citizen has consented to (a valid permanent
/// authorization), the scopes it was granted, when it last signed the citizen in, and "disconnect",
/// which revokes every authorization of this citizen for that agency and every token attached to them
/// (refresh tokens then fail with <c>invalid_grant</c>; the next sign-in asks for consent again), and
/// sends the agency a back-channel logout (<see cref="SsoSessionStore.DisconnectAgencyAsync"/>).
/// Every lookup starts from the signed-in user's id, so no other citizen's consents are ever reachable.
/// </summary>
[Authorize(AuthenticationSchemes = SignInScheme)]
public sealed class ConnectedAgenciesModel(
    IOpenIddictAuthorizationManager authorizations,
    IOpenIddictApplicationManager applications,
    IOpenIddictScopeManager scopes,
    IOpenIddictTokenManager tokens,
    SsoSessionStore sessions,
    OnePassDbContext db) : PageModel
{
    public const string PagePath = "/account/agencies";

    // IdentityConstants.ApplicationScheme (not a constant): not signed in, the cookie handler redirects to the login page.
    private const string SignInScheme = "Identity.Application";

    private const int MaxClientIdLength = 100;

    public IReadOnlyList<ConnectedAgencyView> Agencies { get; private set; } = [];

    /// <summary>A key of <see cref="Texts"/> shown after a disconnect attempt (from the query string, only known keys).</summary>
    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery(Name = "done")] string? done)
    {
        if (SessionInfo.UserIdOf(User) is not { } userId)
        {
            return Forbid();
        }

        Message = done switch
        {
            "disconnected" => "agencies.disconnected",
            _ => null,
        };
        Agencies = await ListAsync(userId, HttpContext.RequestAborted);
        return Page();
    }

    /// <summary>
    /// "Disconnect" (<c>client</c> = the agency's client id). Antiforgery is checked by Razor Pages before
    /// this runs (a POST without a valid token is a 400). A client id the citizen has no consent for, or a
    /// malformed one, changes nothing and answers the page with a message.
    /// </summary>
    public async Task<IActionResult> OnPostAsync([FromForm(Name = "client")] string? client)
    {
        if (SessionInfo.UserIdOf(User) is not { } userId)
        {
            return Forbid();
        }

        var cancellationToken = HttpContext.RequestAborted;
        var mine = await ConsentedAuthorizationsAsync(userId, cancellationToken);
        if (string.IsNullOrEmpty(client) || client.Length > MaxClientIdLength ||
            await applications.FindByClientIdAsync(client, cancellationToken) is not { } application ||
            await applications.GetIdAsync(application, cancellationToken) is not { } applicationId ||
            !mine.Any(consent => consent.ApplicationId == applicationId))
        {
            Message = "agencies.notConnected";
            Agencies = await ListAsync(userId, cancellationToken);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        // Every authorization of this user for this agency (permanent and ad hoc, whatever their status),
        // and every token attached to each. Not cancelled when the browser goes away: half a disconnect is worse.
        var all = new List<object>();
        await foreach (var authorization in authorizations.FindAsync(userId.ToString(), applicationId, status: null, type: null, scopes: null, CancellationToken.None))
        {
            all.Add(authorization);
        }

        foreach (var authorization in all)
        {
            if (await authorizations.GetIdAsync(authorization, CancellationToken.None) is { } authorizationId)
            {
                await tokens.RevokeByAuthorizationIdAsync(authorizationId, CancellationToken.None);
            }

            await authorizations.TryRevokeAsync(authorization, CancellationToken.None);
        }

        // And the agency is told (back-channel logout) and leaves the citizen's live sessions.
        await sessions.DisconnectAgencyAsync(userId, client, HttpContext);

        // 303: the browser shows the list again with a GET (a reload never re-posts).
        return new SeeOtherResult(PagePath + "?done=disconnected");
    }

    private async Task<List<(string ApplicationId, object Authorization)>> ConsentedAuthorizationsAsync(Guid userId, CancellationToken cancellationToken)
    {
        var list = new List<(string, object)>();
        await foreach (var authorization in authorizations.FindBySubjectAsync(userId.ToString(), cancellationToken))
        {
            if (await authorizations.GetTypeAsync(authorization, cancellationToken) != AuthorizationTypes.Permanent ||
                !await authorizations.HasStatusAsync(authorization, Statuses.Valid, cancellationToken) ||
                await authorizations.GetApplicationIdAsync(authorization, cancellationToken) is not { } applicationId)
            {
                continue;
            }

            list.Add((applicationId, authorization));
        }

        return list;
    }

    private async Task<IReadOnlyList<ConnectedAgencyView>> ListAsync(Guid userId, CancellationToken cancellationToken)
    {
        var views = new List<ConnectedAgencyView>();
        foreach (var group in (await ConsentedAuthorizationsAsync(userId, cancellationToken)).GroupBy(consent => consent.ApplicationId, StringComparer.Ordinal))
        {
            if (await applications.FindByIdAsync(group.Key, cancellationToken) is not { } application ||
                await applications.GetClientIdAsync(application, cancellationToken) is not { } clientId)
            {
                continue;
            }

            var name = await applications.GetLocalizedDisplayNameAsync(application, cancellationToken) ?? clientId;
            var granted = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var (_, authorization) in group)
            {
                granted.UnionWith(await authorizations.GetScopesAsync(authorization, cancellationToken));
            }

            var scopeTexts = new List<string>();
            foreach (var scope in granted)
            {
                scopeTexts.Add(await ScopeTextAsync(scope, cancellationToken));
            }

            var lastSignIn = await db.AuthEvents.AsNoTracking()
                .Where(e => e.UserId == userId && e.ClientId == clientId && e.Outcome == AuthAudit.Success)
                .OrderByDescending(e => e.Time)
                .Select(e => (DateTimeOffset?)e.Time)
                .FirstOrDefaultAsync(cancellationToken);

            views.Add(new ConnectedAgencyView(clientId, name, scopeTexts, lastSignIn));
        }

        return [.. views.OrderBy(view => view.Name, StringComparer.CurrentCulture)];
    }

    private async Task<string> ScopeTextAsync(string scope, CancellationToken cancellationToken)
    {
        var key = "scope." + scope;
        var builtIn = Texts.Get(key);
        if (builtIn != key)
        {
            return builtIn;
        }

        var entity = await scopes.FindByNameAsync(scope, cancellationToken);
        return (entity is null ? null : await scopes.GetLocalizedDescriptionAsync(entity, cancellationToken)) ?? scope;
    }
}

/// <summary>One connected agency, as shown.</summary>
public sealed record ConnectedAgencyView(string ClientId, string Name, IReadOnlyList<string> Scopes, DateTimeOffset? LastSignIn);
