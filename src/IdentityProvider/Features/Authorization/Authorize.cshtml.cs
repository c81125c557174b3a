using System.Collections.Immutable;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Account;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.IdentityProvider.Infrastructure;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>
/// The authorization endpoint (passthrough). OpenIddict has already validated the client, the
/// redirect URI, PKCE and scopes, and stored the request (request caching), so the request seen here
/// is a <c>request_uri</c> the browser cannot alter. This page decides: sign in first? enough
/// assurance? consent? — then signs in to OpenIddict, which issues the code.
/// </summary>
[IgnoreAntiforgeryToken] // agencies may POST authorization requests; the consent form is checked below.
public sealed class AuthorizeModel(
    IOpenIddictApplicationManager applications,
    IOpenIddictAuthorizationManager authorizations,
    IOpenIddictScopeManager scopes,
    UserManager<OnePassUser> users,
    SignInManager<OnePassUser> signIns,
    TokenPrincipalFactory principals,
    ReauthenticationMarker reauthentication,
    ConsentTickets consentTickets,
    SsoSessionStore sessions,
    MfaSignIn mfa,
    PendingSignIns pendingSignIns,
    AuthAudit audit,
    IAntiforgery antiforgery,
    OnePassDbContext db,
    TimeProvider time) : PageModel
{
    public const string DecisionAllow = "allow";
    public const string DecisionDeny = "deny";

    public ConsentViewModel? Consent { get; private set; }

    public Task<IActionResult> OnGetAsync() => HandleAsync();

    public Task<IActionResult> OnPostAsync() => HandleAsync();

    private async Task<IActionResult> HandleAsync()
    {
        var request = HttpContext.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");
        UiLocales.Apply(HttpContext, request.UiLocales); // the stored request's ui_locales (OIDC Core §3.1.2.1)

        // 1. A consent answer must come from our own form (CATALOGUE AT-14, IN-LG-12).
        var decision = await ReadConsentDecisionAsync();
        if (decision is ConsentDecision.Invalid)
        {
            return PassthroughHelpers.BadRequestPage("The consent form was not valid. Please start again from the agency's site.");
        }

        // 2. Is there an SSO session, fresh enough for prompt=login / max_age (OIDC Core §3.1.2.1)?
        var cookie = await HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var session = cookie.Succeeded ? SessionInfo.From(cookie.Principal) : null;
        var user = session is null ? null : await users.GetUserAsync(cookie.Principal!);
        if (user is not null && !await signIns.CanSignInAsync(user))
        {
            user = null;
        }

        var requestKey = RequestKey(request);
        if (session is null || user is null || NeedsFreshSignIn(request, session, requestKey))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Forbid(Errors.LoginRequired, "The user is not signed in, or the sign-in is too old.");
            }

            // Remember that this request sent the citizen to sign in, so the sign-in that follows
            // satisfies its prompt=login / max_age (with or without an earlier session).
            reauthentication.Set(HttpContext, requestKey);
            return Redirect(SignInPaths.Login(ReturnUrl(), request.LoginHint, request.UiLocales));
        }

        var application = await applications.FindByClientIdAsync(request.ClientId!)
            ?? throw new InvalidOperationException("The client application cannot be found.");
        var agency = await AgencySettings.ReadAsync(applications, application);

        // 3. Assurance: acr_values and the agency's minimum are binding (CONTRACT §4, §5). A session below
        //    the level is stepped up in place (only the missing factor is asked); a level this account
        //    cannot reach is an error at the agency, never a token claiming more than happened.
        var required = AssuranceLevels.Required(request.GetAcrValues(), agency.MinimumAcr);
        if (AssuranceLevels.Rank(session.Acr) < required)
        {
            var factors = await mfa.FactorsAsync(user.Id, HttpContext.RequestAborted);
            if (factors.MaxRank < required)
            {
                return Forbid("unmet_authentication_requirements",
                    $"The agency requires {AssuranceLevels.ForRank(required)}, which this account cannot reach.");
            }

            if (request.HasPromptValue(PromptValues.None))
            {
                return Forbid(Errors.InteractionRequired, "The agency requires a stronger sign-in than this session's.");
            }

            // Marked like a sign-in this request asked for, so the code that follows is not taken for an SSO visit.
            reauthentication.Set(HttpContext, requestKey);
            await pendingSignIns.StartAsync(HttpContext, new PendingSignIn(user.Id, session.Amr, required, ReturnUrl()));
            return Redirect(VerifyModel.Path);
        }

        // 4. Consent: one switch over the consent types (OpenIddict samples), remembered as a permanent authorization.
        var applicationId = await applications.GetIdAsync(application);
        var userId = user.Id.ToString();
        var requestedScopes = request.GetScopes();
        var existing = await authorizations.FindAsync(
            subject: userId, client: applicationId, status: Statuses.Valid, type: AuthorizationTypes.Permanent,
            scopes: requestedScopes).ToListAsync();
        var consentType = await applications.GetConsentTypeAsync(application);
        var mustAsk = consentType switch
        {
            ConsentTypes.Implicit => request.HasPromptValue(PromptValues.Consent),
            ConsentTypes.Explicit => existing.Count == 0 || request.HasPromptValue(PromptValues.Consent),
            _ => true,
        };

        if (decision is ConsentDecision.Allow or ConsentDecision.Deny &&
            !consentTickets.IsValid(Request.Form[ConsentTickets.FieldName], requestKey, session.SessionId))
        {
            return PassthroughHelpers.BadRequestPage("This consent form belongs to another request. Please start again from the agency's site.");
        }

        if (decision is ConsentDecision.Deny)
        {
            return Forbid(Errors.AccessDenied, "The user declined to share this information.");
        }

        if (mustAsk && decision is not ConsentDecision.Allow)
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Forbid(Errors.ConsentRequired, "The user has not consented to this agency yet.");
            }

            var hidden = HiddenParameters();
            hidden[ConsentTickets.FieldName] = consentTickets.Issue(requestKey, session.SessionId);
            Consent = await ConsentViewModel.CreateAsync(applications, scopes, application, requestedScopes, hidden);
            Consent = Consent with { Logo = await AdminApi.Agencies.AgencyLogoEndpoints.ForConsentAsync(db, request.ClientId!, HttpContext.RequestAborted) };
            return Page();
        }

        // 5. Issue: the principal carries the pairwise sub, session claims and scope claims. The agency
        //    joins the session first, so single logout will reach it.
        await sessions.AddAgencyAsync(session.SessionId, request.ClientId!, HttpContext, HttpContext.RequestAborted);
        if (!reauthentication.IsSatisfied(HttpContext, requestKey, session.AuthTime))
        {
            // No factor was given for this request: the session was reused. The factors' own events record
            // fresh sign-ins; this one would otherwise leave no trace (issue 5 statistics).
            await audit.RecordAsync(HttpContext, user.Id, AuthAudit.SessionReused, AuthAudit.Success, request.ClientId);
        }

        var identity = await principals.CreateAsync(user, session, agency, request.ClientId!, requestedScopes);
        var remember = consentType == ConsentTypes.Explicit && decision is ConsentDecision.Allow;
        var authorization = !remember && existing.Count > 0
            ? existing[^1]
            : await authorizations.CreateAsync(
                identity: identity,
                subject: userId,
                client: applicationId!,
                type: remember ? AuthorizationTypes.Permanent : AuthorizationTypes.AdHoc,
                scopes: requestedScopes);
        identity.SetAuthorizationId(await authorizations.GetIdAsync(authorization));

        // Only now is the request answered: the marker must survive the consent step (or it would loop).
        ReauthenticationMarker.Clear(HttpContext);
        return SignIn(new ClaimsPrincipal(identity), OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private bool NeedsFreshSignIn(OpenIddictRequest request, SessionInfo session, string requestKey)
    {
        var tooOld = request.HasPromptValue(PromptValues.Login) || request.MaxAge == 0 ||
            (request.MaxAge is long maxAge && time.GetUtcNow() - session.AuthTime > TimeSpan.FromSeconds(maxAge));
        return tooOld && !reauthentication.IsSatisfied(HttpContext, requestKey, session.AuthTime);
    }

    private async Task<ConsentDecision> ReadConsentDecisionAsync()
    {
        if (!HttpMethods.IsPost(Request.Method) || !Request.HasFormContentType)
        {
            return ConsentDecision.None;
        }

        var form = await Request.ReadFormAsync();
        var isConsentForm = form.ContainsKey("decision") || form.ContainsKey(PassthroughHelpers.AntiforgeryFieldName);
        if (!isConsentForm)
        {
            return ConsentDecision.None; // an agency's own POST authorization request
        }

        if (!await antiforgery.IsRequestValidAsync(HttpContext))
        {
            return ConsentDecision.Invalid;
        }

        return form["decision"].ToString() switch
        {
            DecisionAllow when form["decision"].Count == 1 => ConsentDecision.Allow,
            DecisionDeny when form["decision"].Count == 1 => ConsentDecision.Deny,
            _ => ConsentDecision.Invalid,
        };
    }

    // Only the stored-request reference goes back and forth, never the parameters themselves (AT-15).
    private Dictionary<string, string> HiddenParameters() =>
        PassthroughHelpers.EchoParameters(Request, "decision", ConsentTickets.FieldName);

    private string ReturnUrl() => Request.PathBase + Request.Path + QueryString.Create(HiddenParameters()!);

    private static string RequestKey(OpenIddictRequest request) =>
        request.RequestUri ?? Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join('&', request.GetParameters().OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")))));

    private ForbidResult Forbid(string error, string description) => Forbid(
        authenticationSchemes: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme,
        properties: PassthroughHelpers.ErrorProperties(error, description));

    private enum ConsentDecision
    {
        None,
        Allow,
        Deny,
        Invalid,
    }
}

/// <summary>What the consent page shows: the agency's name (always HTML-encoded) and the scopes asked.</summary>
public sealed record ConsentViewModel(string ApplicationName, IReadOnlyList<ScopeView> Scopes, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>The agency's logo as OnePass serves it (never an agency's own URL; CATALOGUE IN-AD-03), if it has one.</summary>
    public AdminApi.Agencies.ShownLogo? Logo { get; init; }

    public static async Task<ConsentViewModel> CreateAsync(
        IOpenIddictApplicationManager applications,
        IOpenIddictScopeManager scopeManager,
        object application,
        ImmutableArray<string> requested,
        IReadOnlyDictionary<string, string> parameters)
    {
        var name = await applications.GetLocalizedDisplayNameAsync(application)
            ?? await applications.GetClientIdAsync(application) ?? string.Empty;
        var views = new List<ScopeView>();
        foreach (var scope in requested)
        {
            var entity = await scopeManager.FindByNameAsync(scope);
            var description = entity is null ? null : await scopeManager.GetLocalizedDescriptionAsync(entity);
            views.Add(new ScopeView(scope, description));
        }

        return new ConsentViewModel(name, views, parameters);
    }
}

public sealed record ScopeView(string Name, string? Description);
