using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Sessions;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.AdminApi.Users;

/// <summary>
/// Users through the admin API (issue 5 item 1, docs/admin-api.md "Users"): search, view, disable and
/// enable, unlock, reset MFA, delete; the sessions endpoints are in <see cref="UserSessionEndpoints"/>.
/// Every change sends the <c>version</c> it read (the user's <see cref="IdentityUser{TKey}.ConcurrencyStamp"/>):
/// a stale one is a 409 and nothing is written. Every change writes its change-log row in the same
/// <c>SaveChanges</c> as the change to the account; ending sessions (single logout) and revoking tokens
/// follow once the account change is committed, and are never cancelled half-way.
/// </summary>
public static class UserEndpoints
{
    public const string Tag = "Users";
    public const string TargetType = "user";
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const int MaxSearchLength = 200;
    public const int RecentSignInCount = 20;

    private const int MaxPage = 1_000_000;

    private static readonly Dictionary<string, UserStatus> StatusNames = new(StringComparer.Ordinal)
    {
        ["active"] = UserStatus.Active,
        ["locked"] = UserStatus.Locked,
        ["disabled"] = UserStatus.Disabled,
    };

    public static RouteGroupBuilder Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/users", ListAsync)
            .WithName("ListUsers")
            .WithSummary("Users, by username; search matches username, e-mail and name; status active, locked or disabled.")
            .WithTags(Tag)
            .Produces<UserList>()
            .Produces<AdminApiError>(StatusCodes.Status400BadRequest);
        admin.MapGet("/users/{userId}", GetAsync)
            .WithName("GetUser")
            .WithSummary("One user with methods enrolled, live sessions, consents and the 20 latest sign-in events.")
            .WithTags(Tag)
            .Produces<UserDetail>()
            .Produces<AdminApiError>(StatusCodes.Status400BadRequest)
            .Produces<AdminApiError>(StatusCodes.Status404NotFound);
        MapChange(admin.MapPost("/users/{userId}/disable", DisableAsync), "DisableUser",
            "Disables the account: it can no longer sign in, every session ends (single logout) and its tokens stop working.");
        MapChange(admin.MapPost("/users/{userId}/enable", EnableAsync), "EnableUser",
            "Enables a disabled account; the user signs in again (tokens revoked at the disable stay revoked).");
        MapChange(admin.MapPost("/users/{userId}/unlock", UnlockAsync), "UnlockUser",
            "Clears a lockout from failed passwords and from failed authenticator codes.");
        MapChange(admin.MapPost("/users/{userId}/reset-mfa", ResetMfaAsync), "ResetUserMfa",
            "Removes the authenticator app, recovery codes and passkeys, and ends every session (single logout).");
        admin.MapDelete("/users/{userId}", DeleteAsync)
            .WithName("DeleteUser")
            .WithSummary("Deletes the account after ending its sessions (single logout) and revoking its consents and tokens; ?version= required.")
            .WithTags(Tag)
            .Produces(StatusCodes.Status204NoContent)
            .Produces<AdminApiError>(StatusCodes.Status400BadRequest)
            .Produces<AdminApiError>(StatusCodes.Status404NotFound)
            .Produces<AdminApiError>(StatusCodes.Status409Conflict);
        UserSessionEndpoints.Map(admin);
        return admin;
    }

    private static void MapChange(RouteHandlerBuilder endpoint, string name, string summary) => endpoint
        .WithName(name)
        .WithSummary(summary)
        .WithTags(Tag)
        .Accepts<UserChangeRequest>("application/json")
        .Produces<UserSummary>()
        .Produces<AdminApiError>(StatusCodes.Status400BadRequest)
        .Produces<AdminApiError>(StatusCodes.Status404NotFound)
        .Produces<AdminApiError>(StatusCodes.Status409Conflict);

    // --- reading ----------------------------------------------------------------------------------------

    /// <summary>GET /api/admin/users?search=&amp;status=&amp;page=&amp;pageSize=</summary>
    public static async Task<IResult> ListAsync(HttpRequest request, OnePassDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var query = AdminApiQuery.Read(request, "search", "status", "page", "pageSize");
        var search = query.Text("search", MaxSearchLength);
        var status = query.OneOf("status", StatusNames);
        var page = query.Number("page", 1, 1, MaxPage);
        var pageSize = query.Number("pageSize", DefaultPageSize, 1, MaxPageSize);
        if (query.Error is { } error)
        {
            return error;
        }

        var now = time.GetUtcNow();
        var disabledAfter = TokenUsers.DisabledAfter;
        var users = db.Users.AsNoTracking();
        if (search is not null)
        {
            // Identity's normalized columns are upper-case invariant; the name is compared the same way.
            // ToUpper() runs in the database (SQL upper()), where no culture applies.
            var upper = search.ToUpperInvariant();
#pragma warning disable CA1304, CA1311, CA1862
            users = users.Where(user =>
                user.NormalizedUserName!.Contains(upper) ||
                (user.NormalizedEmail != null && user.NormalizedEmail.Contains(upper)) ||
                (user.DisplayName != null && user.DisplayName.ToUpper().Contains(upper)));
#pragma warning restore CA1304, CA1311, CA1862
        }

        users = status switch
        {
            UserStatus.Disabled => users.Where(user => user.LockoutEnd != null && user.LockoutEnd > disabledAfter),
            UserStatus.Locked => users.Where(user => (user.LockoutEnd == null || user.LockoutEnd <= disabledAfter) &&
                ((user.LockoutEnd != null && user.LockoutEnd > now) ||
                 db.UserTotps.Any(totp => totp.UserId == user.Id && totp.LockedUntil != null && totp.LockedUntil > now))),
            UserStatus.Active => users.Where(user => (user.LockoutEnd == null || user.LockoutEnd <= now) &&
                !db.UserTotps.Any(totp => totp.UserId == user.Id && totp.LockedUntil != null && totp.LockedUntil > now)),
            _ => users,
        };

        var total = await users.CountAsync(cancellationToken);
        var rows = await users
            .OrderBy(user => user.NormalizedUserName).ThenBy(user => user.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .ToListAsync(cancellationToken);

        var ids = rows.Select(user => user.Id).ToList();
        var roles = await RolesAsync(db, ids, cancellationToken);
        var totps = await db.UserTotps.AsNoTracking().Where(totp => ids.Contains(totp.UserId)).ToDictionaryAsync(totp => totp.UserId, cancellationToken);
        return Results.Ok(new UserList(
            [.. rows.Select(user => Summary(user, roles.GetValueOrDefault(user.Id) ?? [], totps.GetValueOrDefault(user.Id), now))],
            total, page, pageSize));
    }

    /// <summary>GET /api/admin/users/{userId}</summary>
    public static async Task<IResult> GetAsync(
        string userId, HttpRequest request, OnePassDbContext db, SsoSessionStore sessions,
        IOpenIddictAuthorizationManager authorizations, IOpenIddictApplicationManager applications, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (AdminApiQuery.Read(request).Error is { } error)
        {
            return error;
        }

        if (!Guid.TryParse(userId, out var id))
        {
            return MalformedId();
        }

        if (await db.Users.AsNoTracking().SingleOrDefaultAsync(user => user.Id == id, cancellationToken) is not { } user)
        {
            return UnknownUser();
        }

        var now = time.GetUtcNow();
        var (summary, totp) = await SummaryAsync(db, user, now, cancellationToken);
        var passkeys = await db.Passkeys.AsNoTracking().Where(passkey => passkey.UserId == id)
            .OrderBy(passkey => passkey.CreatedAt)
            .Select(passkey => new UserPasskeyView(passkey.Id, passkey.Name, passkey.CreatedAt, passkey.LastUsedAt))
            .ToListAsync(cancellationToken);
        var recoveryCodesLeft = await db.RecoveryCodes.CountAsync(code => code.UserId == id && code.UsedAt == null, cancellationToken);
        var signIns = await db.AuthEvents.AsNoTracking().Where(e => e.UserId == id)
            .OrderByDescending(e => e.Time).ThenByDescending(e => e.Id)
            .Take(RecentSignInCount)
            .Select(e => new UserSignInEvent(e.Time, e.Method, e.Outcome, e.ClientId, e.IpAddress, e.UserAgent))
            .ToListAsync(cancellationToken);
        var liveSessions = (await sessions.ListForUserAsync(id, cancellationToken)).Select(UserSessionView.From).ToList();
        var consents = await ConsentsAsync(id, authorizations, applications, cancellationToken);

        return Results.Ok(new UserDetail(
            summary.Id, summary.Username, summary.Email, summary.EmailConfirmed, summary.Name, summary.Status, summary.LockedUntil,
            summary.FailedAttempts, summary.Roles,
            new UserMethods(user.PasswordHash is not null, new UserTotpView(totp?.ConfirmedAt is not null, ActiveLock(totp?.LockedUntil, now)),
                passkeys, recoveryCodesLeft),
            liveSessions, consents, signIns, summary.Version));
    }

    // --- changes ----------------------------------------------------------------------------------------

    /// <summary>POST /api/admin/users/{userId}/disable <c>{"version"}</c></summary>
    public static async Task<IResult> DisableAsync(
        string userId, HttpContext context, OnePassDbContext db, UserManager<OnePassUser> users, SsoSessionStore sessions,
        IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, AdminChangeLog changes, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (error, user) = await ChangeTargetAsync(userId, context, users, versionInQuery: false, cancellationToken);
        if (user is null)
        {
            return error!;
        }

        if (TokenUsers.IsDisabled(user))
        {
            return AdminApiError.Conflict("The account is already disabled.");
        }

        if (await KeepAnAdministratorAsync(context, db, users, user, "disable", cancellationToken) is { } refused)
        {
            return refused;
        }

        var before = await AuditViewAsync(db, users, user, time.GetUtcNow(), cancellationToken);
        user.LockoutEnabled = true;
        user.LockoutEnd = DateTimeOffset.MaxValue;
        changes.Add(context, "user.disable", TargetType, user.Id.ToString(), before,
            before with { Status = "disabled", LockoutEnd = user.LockoutEnd });
        if (await SaveAsync(users, user) is { } failed)
        {
            return failed;
        }

        // The account can no longer sign in; now its sessions end (agencies told) and its tokens stop working.
        await sessions.EndAllForUserAsync(user.Id, SessionEndReason.EndedByAdministrator, except: null, CancellationToken.None);
        await RevokeGrantsAsync(user.Id, authorizations, tokens, delete: false);
        return await SummaryResultAsync(db, user, time);
    }

    /// <summary>POST /api/admin/users/{userId}/enable <c>{"version"}</c></summary>
    public static async Task<IResult> EnableAsync(
        string userId, HttpContext context, OnePassDbContext db, UserManager<OnePassUser> users, AdminChangeLog changes, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (error, user) = await ChangeTargetAsync(userId, context, users, versionInQuery: false, cancellationToken);
        if (user is null)
        {
            return error!;
        }

        if (!TokenUsers.IsDisabled(user))
        {
            return AdminApiError.Conflict("The account is not disabled.");
        }

        var now = time.GetUtcNow();
        var before = await AuditViewAsync(db, users, user, now, cancellationToken);
        user.LockoutEnd = null;
        user.AccessFailedCount = 0;
        changes.Add(context, "user.enable", TargetType, user.Id.ToString(), before,
            before with { Status = StatusOf(user, before.TotpLockedUntil, now).Status, LockoutEnd = null, FailedAttempts = 0 });
        return await SaveAsync(users, user) ?? await SummaryResultAsync(db, user, time);
    }

    /// <summary>POST /api/admin/users/{userId}/unlock <c>{"version"}</c></summary>
    public static async Task<IResult> UnlockAsync(
        string userId, HttpContext context, OnePassDbContext db, UserManager<OnePassUser> users, AdminChangeLog changes, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (error, user) = await ChangeTargetAsync(userId, context, users, versionInQuery: false, cancellationToken);
        if (user is null)
        {
            return error!;
        }

        if (TokenUsers.IsDisabled(user))
        {
            return AdminApiError.Conflict("The account is disabled, not locked: enable it instead.");
        }

        var before = await AuditViewAsync(db, users, user, time.GetUtcNow(), cancellationToken);
        user.LockoutEnd = null;
        user.AccessFailedCount = 0;
        if (await db.UserTotps.SingleOrDefaultAsync(totp => totp.UserId == user.Id, cancellationToken) is { } totp)
        {
            totp.LockedUntil = null;
            totp.ConsecutiveFailures = 0;
        }

        changes.Add(context, "user.unlock", TargetType, user.Id.ToString(), before,
            before with { Status = "active", LockoutEnd = null, FailedAttempts = 0, TotpLockedUntil = null });
        return await SaveAsync(users, user) ?? await SummaryResultAsync(db, user, time);
    }

    /// <summary>POST /api/admin/users/{userId}/reset-mfa <c>{"version"}</c></summary>
    public static async Task<IResult> ResetMfaAsync(
        string userId, HttpContext context, OnePassDbContext db, UserManager<OnePassUser> users, SsoSessionStore sessions,
        AdminChangeLog changes, TimeProvider time, CancellationToken cancellationToken)
    {
        var (error, user) = await ChangeTargetAsync(userId, context, users, versionInQuery: false, cancellationToken);
        if (user is null)
        {
            return error!;
        }

        var before = await AuditViewAsync(db, users, user, time.GetUtcNow(), cancellationToken);
        db.UserTotps.RemoveRange(await db.UserTotps.Where(totp => totp.UserId == user.Id).ToListAsync(cancellationToken));
        db.RecoveryCodes.RemoveRange(await db.RecoveryCodes.Where(code => code.UserId == user.Id).ToListAsync(cancellationToken));
        db.Passkeys.RemoveRange(await db.Passkeys.Where(passkey => passkey.UserId == user.Id).ToListAsync(cancellationToken));
        // A new security stamp: offline_access refresh tokens granted while the removed factors counted stop
        // working (the stamp's digest is in them), as after a password change.
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        changes.Add(context, "user.mfa.reset", TargetType, user.Id.ToString(), before,
            before with
            {
                Status = StatusOf(user, null, time.GetUtcNow()).Status, TotpEnrolled = false, TotpLockedUntil = null, Passkeys = 0, RecoveryCodesLeft = 0,
            });

        // One SaveChanges: the factors go with the account's new version and the change-log row, or nothing does.
        if (await SaveAsync(users, user) is { } failed)
        {
            return failed;
        }

        // Sessions signed in with the removed factors end (agencies told); the next sign-in is with what is left.
        await sessions.EndAllForUserAsync(user.Id, SessionEndReason.EndedByAdministrator, except: null, CancellationToken.None);
        return await SummaryResultAsync(db, user, time);
    }

    /// <summary>DELETE /api/admin/users/{userId}?version=</summary>
    public static async Task<IResult> DeleteAsync(
        string userId, HttpContext context, OnePassDbContext db, UserManager<OnePassUser> users, SsoSessionStore sessions,
        IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, AdminChangeLog changes, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (error, user) = await ChangeTargetAsync(userId, context, users, versionInQuery: true, cancellationToken);
        if (user is null)
        {
            return error!;
        }

        if (await KeepAnAdministratorAsync(context, db, users, user, "delete", cancellationToken) is { } refused)
        {
            return refused;
        }

        var before = await AuditViewAsync(db, users, user, time.GetUtcNow(), cancellationToken);

        // Sessions first (single logout needs the account to tell agencies who left), then consents and tokens.
        await sessions.EndAllForUserAsync(user.Id, SessionEndReason.EndedByAdministrator, except: null, CancellationToken.None);
        await RevokeGrantsAsync(user.Id, authorizations, tokens, delete: true);

        // Staged now, so the account's deletion writes it (factors and roles go by cascade in the same statement batch).
        changes.Add(context, "user.delete", TargetType, user.Id.ToString(), before, after: null);
        var result = await users.DeleteAsync(user);
        return result.Succeeded ? Results.NoContent() : Failed(result);
    }

    // --- helpers ----------------------------------------------------------------------------------------

    /// <summary>
    /// The user a change names, tracked, once the query, id, body and version are valid: 400 for a malformed
    /// request, 404 for an unknown user, 409 when the version is not the user's current one.
    /// </summary>
    private static async Task<(IResult? Error, OnePassUser? User)> ChangeTargetAsync(
        string userId, HttpContext context, UserManager<OnePassUser> users, bool versionInQuery, CancellationToken cancellationToken)
    {
        string version;
        if (versionInQuery)
        {
            var query = AdminApiQuery.Read(context.Request, "version");
            var value = query.Text("version", 100);
            if ((query.Error ?? UserChangeRequest.VersionError(value)) is { } queryError)
            {
                return (queryError, null);
            }

            version = value!;
        }
        else if (AdminApiQuery.Read(context.Request).Error is { } queryError)
        {
            return (queryError, null);
        }
        else
        {
            version = "";
        }

        if (!Guid.TryParse(userId, out var id))
        {
            return (MalformedId(), null);
        }

        if (!versionInQuery)
        {
            var (bodyError, bodyVersion) = await UserChangeRequest.ReadVersionAsync(context.Request, cancellationToken);
            if (bodyError is not null)
            {
                return (bodyError, null);
            }

            version = bodyVersion;
        }

        if (await users.FindByIdAsync(id.ToString()) is not { } user)
        {
            return (UnknownUser(), null);
        }

        return string.Equals(user.ConcurrencyStamp, version, StringComparison.Ordinal)
            ? (null, user)
            : (Stale(), null);
    }

    /// <summary>
    /// 409 when the change would leave OnePass without an administrator who can act: an administrator may
    /// not disable or delete their own account, nor the last enabled administrator's.
    /// </summary>
    private static async Task<IResult?> KeepAnAdministratorAsync(
        HttpContext context, OnePassDbContext db, UserManager<OnePassUser> users, OnePassUser user, string verb, CancellationToken cancellationToken)
    {
        if (user.Id == AdminCaller.Of(context).UserId)
        {
            return AdminApiError.Conflict($"You cannot {verb} your own account; another administrator must do it.");
        }

        if (!await users.IsInRoleAsync(user, AdminApiServiceCollectionExtensions.Role))
        {
            return null;
        }

        var role = users.NormalizeName(AdminApiServiceCollectionExtensions.Role);
        var disabledAfter = TokenUsers.DisabledAfter;
        var another = await (
            from userRole in db.UserRoles
            join storedRole in db.Roles on userRole.RoleId equals storedRole.Id
            join other in db.Users on userRole.UserId equals other.Id
            where storedRole.NormalizedName == role && other.Id != user.Id && (other.LockoutEnd == null || other.LockoutEnd <= disabledAfter)
            select other.Id).AnyAsync(cancellationToken);
        return another
            ? null
            : AdminApiError.Conflict($"This is the last enabled administrator; you cannot {verb} the account.");
    }

    /// <summary>Saves the tracked user (and whatever else the request staged, the change-log row included); 409 on a concurrent change.</summary>
    private static async Task<IResult?> SaveAsync(UserManager<OnePassUser> users, OnePassUser user)
    {
        // Not the request's token: a change must not be cut between the account and what follows it.
        var result = await users.UpdateAsync(user);
        return result.Succeeded ? null : Failed(result);
    }

    private static IResult Failed(IdentityResult result) =>
        result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.ConcurrencyFailure))
            ? Stale()
            : AdminApiError.Conflict("The account could not be changed: " + string.Join(" ", result.Errors.Select(e => e.Description)));

    /// <summary>
    /// Revokes every token and authorization (consent) of the user, so access and refresh tokens stop
    /// working at once (token and authorization entries are validated); with <paramref name="delete"/>,
    /// the authorizations and their tokens are then deleted.
    /// </summary>
    private static async Task RevokeGrantsAsync(
        Guid userId, IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, bool delete)
    {
        var granted = await authorizations.FindBySubjectAsync(userId.ToString(), CancellationToken.None).ToListAsync();
        foreach (var authorization in granted)
        {
            if (await authorizations.GetIdAsync(authorization, CancellationToken.None) is { } id)
            {
                await tokens.RevokeByAuthorizationIdAsync(id, CancellationToken.None);
            }

            await authorizations.TryRevokeAsync(authorization, CancellationToken.None);
            if (delete)
            {
                await authorizations.DeleteAsync(authorization, CancellationToken.None);
            }
        }
    }

    private static async Task<List<UserConsent>> ConsentsAsync(
        Guid userId, IOpenIddictAuthorizationManager authorizations, IOpenIddictApplicationManager applications, CancellationToken cancellationToken)
    {
        var consents = new List<UserConsent>();
        await foreach (var authorization in authorizations.FindBySubjectAsync(userId.ToString(), cancellationToken))
        {
            if (await authorizations.GetTypeAsync(authorization, cancellationToken) != AuthorizationTypes.Permanent ||
                !await authorizations.HasStatusAsync(authorization, Statuses.Valid, cancellationToken))
            {
                continue;
            }

            var applicationId = await authorizations.GetApplicationIdAsync(authorization, cancellationToken);
            var application = applicationId is null ? null : await applications.FindByIdAsync(applicationId, cancellationToken);
            consents.Add(new UserConsent(
                await authorizations.GetIdAsync(authorization, cancellationToken) ?? "",
                application is null ? null : await applications.GetClientIdAsync(application, cancellationToken),
                application is null ? null : await applications.GetDisplayNameAsync(application, cancellationToken),
                [.. await authorizations.GetScopesAsync(authorization, cancellationToken)],
                await authorizations.GetCreationDateAsync(authorization, cancellationToken)));
        }

        return [.. consents.OrderByDescending(consent => consent.CreatedAt)];
    }

    private static async Task<Dictionary<Guid, List<string>>> RolesAsync(OnePassDbContext db, List<Guid> userIds, CancellationToken cancellationToken)
    {
        var rows = await (
            from userRole in db.UserRoles
            join role in db.Roles on userRole.RoleId equals role.Id
            where userIds.Contains(userRole.UserId)
            select new { userRole.UserId, role.Name }).ToListAsync(cancellationToken);
        return rows.GroupBy(row => row.UserId)
            .ToDictionary(group => group.Key, group => group.Select(row => row.Name ?? "").Order(StringComparer.Ordinal).ToList());
    }

    private static async Task<UserAuditView> AuditViewAsync(
        OnePassDbContext db, UserManager<OnePassUser> users, OnePassUser user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var totp = await db.UserTotps.AsNoTracking().SingleOrDefaultAsync(row => row.UserId == user.Id, cancellationToken);
        return new UserAuditView(
            user.Id, user.UserName ?? "", user.Email, user.EmailConfirmed, user.DisplayName,
            StatusOf(user, totp?.LockedUntil, now).Status, user.LockoutEnd, user.AccessFailedCount,
            [.. (await users.GetRolesAsync(user)).Order(StringComparer.Ordinal)],
            totp?.ConfirmedAt is not null, totp?.LockedUntil,
            await db.Passkeys.CountAsync(passkey => passkey.UserId == user.Id, cancellationToken),
            await db.RecoveryCodes.CountAsync(code => code.UserId == user.Id && code.UsedAt == null, cancellationToken));
    }

    /// <summary>200 with the user as the list shows it, with the new version.</summary>
    private static async Task<IResult> SummaryResultAsync(OnePassDbContext db, OnePassUser user, TimeProvider time) =>
        Results.Ok((await SummaryAsync(db, user, time.GetUtcNow(), CancellationToken.None)).Summary);

    /// <summary>One user as the list shows it, with the authenticator app's row (null when none) it was read with.</summary>
    private static async Task<(UserSummary Summary, UserTotp? Totp)> SummaryAsync(
        OnePassDbContext db, OnePassUser user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var roles = (await RolesAsync(db, [user.Id], cancellationToken)).GetValueOrDefault(user.Id) ?? [];
        var totp = await db.UserTotps.AsNoTracking().SingleOrDefaultAsync(row => row.UserId == user.Id, cancellationToken);
        return (Summary(user, roles, totp, now), totp);
    }

    private static UserSummary Summary(OnePassUser user, IReadOnlyList<string> roles, UserTotp? totp, DateTimeOffset now)
    {
        var (status, lockedUntil) = StatusOf(user, totp?.LockedUntil, now);
        return new UserSummary(
            user.Id, user.UserName ?? "", user.Email, user.EmailConfirmed, user.DisplayName, status, lockedUntil,
            user.AccessFailedCount, roles, user.ConcurrencyStamp ?? "");
    }

    /// <summary><c>disabled</c> by an administrator; <c>locked</c> by failed passwords or codes, until the later of the two; else <c>active</c>.</summary>
    private static (string Status, DateTimeOffset? LockedUntil) StatusOf(OnePassUser user, DateTimeOffset? totpLockedUntil, DateTimeOffset now)
    {
        if (TokenUsers.IsDisabled(user))
        {
            return ("disabled", null);
        }

        var account = ActiveLock(user.LockoutEnd, now);
        var totp = ActiveLock(totpLockedUntil, now);
        var until = account is null ? totp : totp is null ? account : account > totp ? account : totp;
        return until is null ? ("active", null) : ("locked", until);
    }

    private static DateTimeOffset? ActiveLock(DateTimeOffset? until, DateTimeOffset now) => until > now ? until : null;

    internal static IResult MalformedId() => AdminApiError.InvalidRequest("The user id must be a GUID.");

    internal static IResult UnknownUser() => AdminApiError.NotFound("No user has that id.");

    private static IResult Stale() =>
        AdminApiError.Conflict("The user was changed since you read it (the version differs); nothing was changed. Read it again.");

    private enum UserStatus
    {
        Active,
        Locked,
        Disabled,
    }
}
