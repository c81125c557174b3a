using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Fido2NetLib;
using Fido2NetLib.Exceptions;
using Fido2NetLib.Objects;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Account;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.IdentityProvider.Features.Site;
using OnePass.IdentityProvider.Infrastructure;
using OnePass.IdentityProvider.Infrastructure.Security;

namespace OnePass.IdentityProvider.Features.Mfa.Passkeys;

/// <summary>
/// The passkey (WebAuthn) ceremonies as JSON endpoints under <c>/account/passkeys</c>, called by
/// <c>wwwroot/js/passkeys.js</c> from our own pages (issue 4 item 2):
/// <list type="bullet">
/// <item><c>POST register/options</c>, <c>POST register</c>: a signed-in citizen adds a named passkey.</item>
/// <item><c>POST signin/options</c>, <c>POST signin</c>: sign-in without a password with a discoverable credential.</item>
/// <item><c>POST secondfactor/options</c>, <c>POST secondfactor</c>: the passkey as the second step of a pending sign-in.</item>
/// <item><c>DELETE {id}</c> (JSON) and <c>POST {id}/remove</c> (form): remove one of one's own passkeys, in a recent session.</item>
/// </list>
/// Cross-site requests: every JSON call must carry the header <c>X-OnePass-Passkey: 1</c>; a custom header
/// makes the browser send a CORS preflight that OnePass never answers, so no other site can send one.
/// The HTML remove form carries the antiforgery token instead. Anything malformed or hostile answers
/// 400 with <c>error</c> and <c>error_description</c>, and stores nothing (CATALOGUE IN-LG-09, IN-LG-10).
/// The <c>error</c> codes are stable; <c>error_description</c> is shown to the citizen by passkeys.js, so it
/// comes from <see cref="Texts"/> (<c>passkey.error.*</c>) in the request's language: fetch() sends the
/// language switcher's cookies and Accept-Language, and request localization runs for these endpoints too.
/// </summary>
public static class PasskeyEndpoints
{
    public const string Prefix = "/account/passkeys";
    public const string CeremonyHeader = "X-OnePass-Passkey";
    public const string AuditMethod = "passkey";

    /// <summary>The largest ceremony body accepted; a real one is a few kilobytes.</summary>
    public const int MaxBodyBytes = 32 * 1024;


    public const int MaxNameLength = 100;

    public static IEndpointRouteBuilder MapPasskeyEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(Prefix).RequireRateLimiting(SignInRateLimits.PolicyName).DisableAntiforgery();
        group.MapPost("/register/options", RegisterOptionsAsync);
        group.MapPost("/register", RegisterAsync);
        group.MapPost("/signin/options", SignInOptionsAsync);
        group.MapPost("/signin", SignInAsync);
        group.MapPost("/secondfactor/options", SecondFactorOptionsAsync);
        group.MapPost("/secondfactor", SecondFactorAsync);
        group.MapDelete("/{id:guid}", RemoveJsonAsync);
        group.MapPost("/{id:guid}/remove", RemoveFormAsync);
        return endpoints;
    }

    // ---- Registration ------------------------------------------------------------------------------

    private static async Task<IResult> RegisterOptionsAsync(
        HttpContext context, PasskeyRelyingParty relyingParty, PasskeyCeremonies ceremonies, OnePassDbContext db, UserManager<OnePassUser> users)
    {
        var (body, failure) = await ReadBodyAsync(context);
        if (failure is not null)
        {
            return failure;
        }

        if (await SessionSignIn.CurrentAsync(context) is not { } current || await users.FindByIdAsync(current.UserId.ToString()) is not { } user)
        {
            return Error("login_required", Texts.Get("passkey.error.signInToAdd"), StatusCodes.Status401Unauthorized);
        }

        var request = Deserialize<NameRequest>(body);
        var name = (request?.Name ?? string.Empty).Trim();
        if (name.Length == 0)
        {
            name = Texts.Get("passkey.defaultName");
        }

        if (name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            return Error("invalid_request", Texts.Format("passkey.error.nameInvalid", MaxNameLength));
        }

        var existing = await db.Passkeys.Where(p => p.UserId == user.Id).Select(p => new { p.CredentialId, p.UserHandle }).ToListAsync(context.RequestAborted);

        // One WebAuthn user handle per citizen, random, never the user id (it is stored on authenticators).
        var userHandle = existing.Count > 0 ? existing[0].UserHandle : RandomNumberGenerator.GetBytes(32);
        var options = relyingParty.For(context).RequestNewCredential(new RequestNewCredentialParams
        {
            User = new Fido2User { Id = userHandle, Name = user.UserName ?? user.Id.ToString(), DisplayName = user.DisplayName ?? user.UserName ?? string.Empty },
            ExcludeCredentials = [.. existing.Select(p => new PublicKeyCredentialDescriptor(p.CredentialId))],
            AuthenticatorSelection = new AuthenticatorSelection
            {
                ResidentKey = ResidentKeyRequirement.Required,
                UserVerification = UserVerificationRequirement.Preferred,
            },
            AttestationPreference = AttestationConveyancePreference.None,
            PubKeyCredParams = [PubKeyCredParam.ES256, PubKeyCredParam.RS256, PubKeyCredParam.Ed25519],
        });

        await ceremonies.StartAsync(PasskeyCeremonies.Registration, options.Challenge, new PasskeyCeremony(options.ToJson(), user.Id, name), context.RequestAborted);
        return Results.Text(options.ToJson(), "application/json");
    }

    private static async Task<IResult> RegisterAsync(
        HttpContext context, PasskeyRelyingParty relyingParty, PasskeyCeremonies ceremonies, OnePassDbContext db, AuthAudit audit, TimeProvider time)
    {
        var (body, failure) = await ReadBodyAsync(context);
        if (failure is not null)
        {
            return failure;
        }

        if (await SessionSignIn.CurrentAsync(context) is not { } current)
        {
            return Error("login_required", Texts.Get("passkey.error.signInToAdd"), StatusCodes.Status401Unauthorized);
        }

        if (Deserialize<AuthenticatorAttestationRawResponse>(body) is not { Response.ClientDataJson: not null, Response.AttestationObject: not null, RawId: not null } raw)
        {
            return Error("invalid_request", Texts.Get("passkey.error.registrationMalformed"));
        }

        if (await ceremonies.TakeAsync(PasskeyCeremonies.Registration, raw.Response.ClientDataJson) is not { UserId: { } userId, Name: { } name } ceremony ||
            userId != current.UserId)
        {
            return Error("invalid_request", Texts.Get("passkey.error.registrationExpired"));
        }

        RegisteredPublicKeyCredential credential;
        try
        {
            credential = await relyingParty.For(context).MakeNewCredentialAsync(new MakeNewCredentialParams
            {
                AttestationResponse = raw,
                OriginalOptions = CredentialCreateOptions.FromJson(ceremony.OptionsJson),
                IsCredentialIdUniqueToUserCallback = async (candidate, cancellationToken) =>
                    !await db.Passkeys.AnyAsync(p => p.CredentialId == candidate.CredentialId, cancellationToken),
            }, context.RequestAborted);
        }
        catch (Exception exception) when (IsVerificationFailure(exception))
        {
            await audit.RecordAsync(context, userId, AuditMethod, RegistrationOutcome(exception));
            return Error("invalid_request", RegistrationMessage(exception));
        }

        if (credential.Id is not { Length: > 0 and <= 1023 } || credential.PublicKey is not { Length: > 0 })
        {
            await audit.RecordAsync(context, userId, AuditMethod, "registration-failure");
            return Error("invalid_request", Texts.Get("passkey.error.credentialUnacceptable"));
        }

        var passkey = new PasskeyCredential
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            CredentialId = credential.Id,
            PublicKey = credential.PublicKey,
            UserHandle = credential.User.Id,
            SignatureCounter = credential.SignCount,
            Name = name,
            AaGuid = credential.AaGuid,
            Transports = credential.Transports is { Length: > 0 } transports
                ? string.Join(',', transports.Select(EnumNameMapper<AuthenticatorTransport>.GetName))
                : null,
            IsBackupEligible = credential.IsBackupEligible,
            IsBackedUp = credential.IsBackedUp,
            CreatedAt = time.GetUtcNow(),
        };
        db.Passkeys.Add(passkey);
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateException)
        {
            // Registered at the same moment by someone else: the unique index decided (IN-LG-10).
            db.Entry(passkey).State = EntityState.Detached;
            await audit.RecordAsync(context, userId, AuditMethod, "registration-duplicate");
            return Error("invalid_request", Texts.Get("passkey.error.alreadyRegistered"));
        }

        await audit.RecordAsync(context, userId, AuditMethod, "registered");
        return Results.Json(new PasskeyRegistered(passkey.Id, passkey.Name), statusCode: StatusCodes.Status201Created);
    }

    // ---- Sign-in without a password (discoverable credential) ----------------------------------------

    private static async Task<IResult> SignInOptionsAsync(HttpContext context, PasskeyRelyingParty relyingParty, PasskeyCeremonies ceremonies)
    {
        var (body, failure) = await ReadBodyAsync(context);
        if (failure is not null)
        {
            return failure;
        }

        var returnUrl = SignInPaths.SafeReturnUrl(Deserialize<ReturnUrlRequest>(body)?.ReturnUrl);

        // Usernameless: no allowCredentials. User verification is always required, so a passkey alone is
        // worth loa:3 and never less than what an agency asked (CONTRACT §5).
        var options = relyingParty.For(context).GetAssertionOptions(new GetAssertionOptionsParams
        {
            AllowedCredentials = [],
            UserVerification = UserVerificationRequirement.Required,
        });
        await ceremonies.StartAsync(PasskeyCeremonies.SignIn, options.Challenge, new PasskeyCeremony(options.ToJson(), ReturnUrl: returnUrl), context.RequestAborted);
        return Results.Text(options.ToJson(), "application/json");
    }

    private static async Task<IResult> SignInAsync(
        HttpContext context, PasskeyRelyingParty relyingParty, PasskeyCeremonies ceremonies, OnePassDbContext db, AuthAudit audit, MfaSignIn signIn, TimeProvider time)
    {
        var (body, failure) = await ReadBodyAsync(context);
        if (failure is not null)
        {
            return failure;
        }

        if (ParseAssertion(body) is not { } raw)
        {
            return Error("invalid_request", Texts.Get("passkey.error.answerMalformed"));
        }

        if (await ceremonies.TakeAsync(PasskeyCeremonies.SignIn, raw.Response.ClientDataJson) is not { } ceremony)
        {
            return Error("invalid_request", Texts.Get("passkey.error.signInExpired"));
        }

        var verified = await VerifyAssertionAsync(context, relyingParty, db, audit, time, raw, ceremony, expectedUserId: null, AuthAudit.AgencyOf(ceremony.ReturnUrl));
        if (verified.Error is not null)
        {
            return verified.Error;
        }

        var passkey = verified.Credential!;
        if (await signIn.CompleteAsync(context, passkey.UserId, [MethodOf(passkey)], verified.UserVerified) is null)
        {
            return Error("invalid_request", Texts.Get("passkey.error.accountGone"));
        }

        await audit.RecordAsync(context, passkey.UserId, AuditMethod, AuthAudit.Success, AuthAudit.AgencyOf(ceremony.ReturnUrl));
        return Results.Json(new PasskeyRedirect(SignInPaths.SafeReturnUrl(ceremony.ReturnUrl)));
    }

    // ---- Second factor of a pending sign-in -----------------------------------------------------------

    private static async Task<IResult> SecondFactorOptionsAsync(
        HttpContext context, PasskeyRelyingParty relyingParty, PasskeyCeremonies ceremonies, PendingSignIns pendingSignIns, OnePassDbContext db)
    {
        var (_, failure) = await ReadBodyAsync(context);
        if (failure is not null)
        {
            return failure;
        }

        if (await pendingSignIns.CurrentAsync(context) is not { } pending)
        {
            return Error("invalid_request", Texts.Get("passkey.error.noPendingSignIn"));
        }

        var credentials = await db.Passkeys.Where(p => p.UserId == pending.UserId).Select(p => p.CredentialId).ToListAsync(context.RequestAborted);
        if (credentials.Count == 0)
        {
            return Error("invalid_request", Texts.Get("passkey.error.noPasskey"));
        }

        var options = relyingParty.For(context).GetAssertionOptions(new GetAssertionOptionsParams
        {
            AllowedCredentials = [.. credentials.Select(id => new PublicKeyCredentialDescriptor(id))],
            UserVerification = pending.RequiredRank >= AssuranceLevels.Rank(AssuranceLevels.PhishingResistant)
                ? UserVerificationRequirement.Required
                : UserVerificationRequirement.Preferred,
        });
        await ceremonies.StartAsync(PasskeyCeremonies.SecondFactor, options.Challenge, new PasskeyCeremony(options.ToJson(), pending.UserId), context.RequestAborted);
        return Results.Text(options.ToJson(), "application/json");
    }

    private static async Task<IResult> SecondFactorAsync(
        HttpContext context, PasskeyRelyingParty relyingParty, PasskeyCeremonies ceremonies, PendingSignIns pendingSignIns,
        OnePassDbContext db, AuthAudit audit, MfaSignIn signIn, TimeProvider time)
    {
        var (body, failure) = await ReadBodyAsync(context);
        if (failure is not null)
        {
            return failure;
        }

        if (ParseAssertion(body) is not { } raw)
        {
            return Error("invalid_request", Texts.Get("passkey.error.answerMalformed"));
        }

        if (await pendingSignIns.CurrentAsync(context) is not { } pending)
        {
            return Error("invalid_request", Texts.Get("passkey.error.noPendingSignIn"));
        }

        if (await ceremonies.TakeAsync(PasskeyCeremonies.SecondFactor, raw.Response.ClientDataJson) is not { } ceremony || ceremony.UserId != pending.UserId)
        {
            return Error("invalid_request", Texts.Get("passkey.error.stepExpired"));
        }

        var verified = await VerifyAssertionAsync(context, relyingParty, db, audit, time, raw, ceremony, pending.UserId, AuthAudit.AgencyOf(pending.ReturnUrl));
        if (verified.Error is not null)
        {
            await pendingSignIns.RecordFailureAsync(context, pending);
            return verified.Error;
        }

        // Single use: a second answer for the same pending sign-in finds nothing.
        if (await pendingSignIns.FinishAsync(context) is not { } finished || finished.UserId != pending.UserId)
        {
            return Error("invalid_request", Texts.Get("passkey.error.signInCompleted"));
        }

        var passkey = verified.Credential!;
        var methods = finished.MethodsDone.Append(MethodOf(passkey)).ToList();
        if (await signIn.CompleteAsync(context, passkey.UserId, methods, verified.UserVerified) is null)
        {
            return Error("invalid_request", Texts.Get("passkey.error.accountGone"));
        }

        await audit.RecordAsync(context, passkey.UserId, AuditMethod, AuthAudit.Success, AuthAudit.AgencyOf(finished.ReturnUrl));
        return Results.Json(new PasskeyRedirect(SignInPaths.SafeReturnUrl(finished.ReturnUrl)));
    }

    /// <summary>
    /// Verifies an assertion against its ceremony (WebAuthn §7.2, by Fido2: type, challenge, origin, rpIdHash,
    /// UP, UV when required, signature), then the signature counter, which must grow unless both it and the
    /// stored one are 0 (a regression means a cloned authenticator: refused and audited). The new counter is
    /// stored only if the stored one is still the one read, so two nodes cannot both accept the same counter.
    /// Failures are audited for <paramref name="clientId"/>, the agency the sign-in is for: these JSON calls
    /// carry no <c>ReturnUrl</c> of their own.
    /// </summary>
    private static async Task<(PasskeyCredential? Credential, bool UserVerified, IResult? Error)> VerifyAssertionAsync(
        HttpContext context, PasskeyRelyingParty relyingParty, OnePassDbContext db, AuthAudit audit, TimeProvider time,
        AuthenticatorAssertionRawResponse raw, PasskeyCeremony ceremony, Guid? expectedUserId, string? clientId)
    {
        // Not tracked: the counter is written below by one conditional UPDATE, never by a later SaveChanges.
        var passkey = await db.Passkeys.AsNoTracking().FirstOrDefaultAsync(p => p.CredentialId == raw.RawId, context.RequestAborted);
        if (passkey is null || (expectedUserId is { } expected && passkey.UserId != expected))
        {
            await audit.RecordAsync(context, expectedUserId, AuditMethod, "unknown-credential", clientId);
            return (null, false, Error("invalid_request", Texts.Get("passkey.error.notRegistered")));
        }

        VerifyAssertionResult result;
        try
        {
            result = await relyingParty.For(context).MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = raw,
                OriginalOptions = AssertionOptions.FromJson(ceremony.OptionsJson),
                StoredPublicKey = passkey.PublicKey,
                StoredSignatureCounter = (uint)Math.Clamp(passkey.SignatureCounter, 0, uint.MaxValue),
                IsUserHandleOwnerOfCredentialIdCallback = (owner, _) => Task.FromResult(
                    owner.UserHandle.AsSpan().SequenceEqual(passkey.UserHandle) && owner.CredentialId.AsSpan().SequenceEqual(passkey.CredentialId)),
            }, context.RequestAborted);
        }
        catch (Fido2VerificationException exception) when (exception.Code == Fido2ErrorCode.InvalidSignCount)
        {
            return (null, false, await CounterRegressionAsync(context, audit, passkey, clientId));
        }
        catch (Exception exception) when (IsVerificationFailure(exception))
        {
            await audit.RecordAsync(context, passkey.UserId, AuditMethod, AuthAudit.Failure, clientId);
            return (null, false, Error("invalid_request", AssertionMessage(exception)));
        }

        // Fido2 lets a counter drop to 0; the spec's rule is "both 0, or growing".
        if (result.SignCount <= passkey.SignatureCounter && (result.SignCount != 0 || passkey.SignatureCounter != 0))
        {
            return (null, false, await CounterRegressionAsync(context, audit, passkey, clientId));
        }

        // Flags byte of the (now verified) authenticator data: UV 0x04, BE 0x08.
        var flags = raw.Response.AuthenticatorData[32];
        var userVerified = (flags & 0x04) != 0;
        var backupEligible = passkey.IsBackupEligible || (flags & 0x08) != 0;
        var readCounter = passkey.SignatureCounter;
        var now = time.GetUtcNow();

        // Compare-and-set: another node (or request) that stored a counter since the read wins; this answer
        // then counts as a regression (the same counter accepted twice means a clone or a replay).
        var updated = await db.Passkeys
            .Where(p => p.Id == passkey.Id && p.SignatureCounter == readCounter)
            .ExecuteUpdateAsync(set => set
                .SetProperty(p => p.SignatureCounter, (long)result.SignCount)
                .SetProperty(p => p.IsBackupEligible, backupEligible)
                .SetProperty(p => p.IsBackedUp, result.IsBackedUp)
                .SetProperty(p => p.LastUsedAt, now), CancellationToken.None);
        if (updated == 0)
        {
            return (null, false, await CounterRegressionAsync(context, audit, passkey, clientId));
        }

        passkey.IsBackupEligible = backupEligible;
        passkey.IsBackedUp = result.IsBackedUp;
        passkey.SignatureCounter = result.SignCount;
        passkey.LastUsedAt = now;
        return (passkey, userVerified, null);
    }

    private static async Task<IResult> CounterRegressionAsync(HttpContext context, AuthAudit audit, PasskeyCredential passkey, string? clientId)
    {
        await audit.RecordAsync(context, passkey.UserId, AuditMethod, "counter-regression", clientId);
        return Error("invalid_request", Texts.Get("passkey.error.counterRegression"));
    }

    /// <summary><c>hwk</c> for a device-bound passkey; <c>swk</c> for a synced one (backup eligible), whose key lives in software sync.</summary>
    private static string MethodOf(PasskeyCredential passkey) =>
        passkey.IsBackupEligible ? AuthenticationMethods.SoftwareKey : AuthenticationMethods.HardwareKey;

    // ---- Removal --------------------------------------------------------------------------------------

    private static async Task<IResult> RemoveJsonAsync(Guid id, HttpContext context, OnePassDbContext db, AuthAudit audit, TimeProvider time)
    {
        if (!HasCeremonyHeader(context))
        {
            return Error("invalid_request", Texts.Format("passkey.error.headerRequired", CeremonyHeader));
        }

        return await RemoveAsync(id, context, db, audit, time) ?? Results.NoContent();
    }

    private static async Task<IResult> RemoveFormAsync(Guid id, HttpContext context, OnePassDbContext db, AuthAudit audit, TimeProvider time, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Error("invalid_request", Texts.Get("passkey.error.formExpired"));
        }

        // 303: after a POST the browser follows with a GET.
        return await RemoveAsync(id, context, db, audit, time) ?? new SeeOther("/account/security");
    }

    private static async Task<IResult?> RemoveAsync(Guid id, HttpContext context, OnePassDbContext db, AuthAudit audit, TimeProvider time)
    {
        if (await SessionSignIn.CurrentAsync(context) is not { } current)
        {
            return Error("login_required", Texts.Get("passkey.error.signInToManage"), StatusCodes.Status401Unauthorized);
        }

        // Removing a passkey needs a recent sign-in, like removing the authenticator app.
        if (!current.Session.IsRecent(time.GetUtcNow()))
        {
            return Error("login_required", Texts.Get("passkey.error.notRecent"), StatusCodes.Status403Forbidden);
        }

        // Own passkeys only: another user's id is simply not found.
        var passkey = await db.Passkeys.FirstOrDefaultAsync(p => p.Id == id && p.UserId == current.UserId, context.RequestAborted);
        if (passkey is null)
        {
            return Error("not_found", Texts.Get("passkey.error.notFound"), StatusCodes.Status404NotFound);
        }

        db.Passkeys.Remove(passkey);
        await db.SaveChangesAsync(CancellationToken.None);
        await audit.RecordAsync(context, current.UserId, AuditMethod, "removed");
        return null;
    }

    // ---- Input ----------------------------------------------------------------------------------------

    /// <summary>The body of a JSON ceremony call: only with our header, at most <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<(byte[] Body, IResult? Error)> ReadBodyAsync(HttpContext context)
    {
        if (!HasCeremonyHeader(context))
        {
            return ([], Error("invalid_request", Texts.Format("passkey.error.headerRequired", CeremonyHeader)));
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return ([], Error("invalid_request", Texts.Get("passkey.error.tooLarge")));
        }

        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return ([], Error("invalid_request", Texts.Get("passkey.error.tooLarge")));
                }

                buffer.Write(chunk, 0, read);
            }

            return (buffer.ToArray(), null);
        }
        catch (BadHttpRequestException)
        {
            return ([], Error("invalid_request", Texts.Get("passkey.error.tooLargeOrMalformed")));
        }
    }

    private static bool HasCeremonyHeader(HttpContext context) =>
        context.Request.Headers.TryGetValue(CeremonyHeader, out var value) && value.ToString() == "1";

    private static T? Deserialize<T>(byte[] body)
        where T : class
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body, JsonOptions);
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException or ArgumentException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static AuthenticatorAssertionRawResponse? ParseAssertion(byte[] body) =>
        Deserialize<AuthenticatorAssertionRawResponse>(body) is
        {
            RawId.Length: > 0 and <= 1023,
            Id: not null,
            Response: { ClientDataJson: not null, AuthenticatorData.Length: >= 37, Signature.Length: > 0 },
        } raw ? raw : null;

    private static readonly JsonSerializerOptions JsonOptions = new() { MaxDepth = 16 };

    /// <summary>What Fido2 and the parsers throw for bad ceremony data (never a server fault).</summary>
    private static bool IsVerificationFailure(Exception exception) => exception is
        Fido2VerificationException or JsonException or FormatException or ArgumentException or InvalidOperationException or
        System.Formats.Cbor.CborContentException or OverflowException or CryptographicException or IndexOutOfRangeException or
        NotSupportedException or NotImplementedException or KeyNotFoundException or InvalidCastException;

    private static string RegistrationOutcome(Exception exception) =>
        exception is Fido2VerificationException { Code: Fido2ErrorCode.NonUniqueCredentialId } ? "registration-duplicate" : "registration-failure";

    private static string RegistrationMessage(Exception exception) => exception switch
    {
        Fido2VerificationException { Code: Fido2ErrorCode.NonUniqueCredentialId } => Texts.Get("passkey.error.alreadyRegistered"),
        Fido2VerificationException verification => Texts.Format("passkey.error.registrationRefused", verification.Message),
        _ => Texts.Get("passkey.error.registrationMalformed"),
    };

    private static string AssertionMessage(Exception exception) => exception switch
    {
        Fido2VerificationException { Code: Fido2ErrorCode.UserVerificationRequirementNotMet } =>
            Texts.Get("passkey.error.userVerification"),
        Fido2VerificationException verification => Texts.Format("passkey.error.answerRefused", verification.Message),
        _ => Texts.Get("passkey.error.answerMalformed"),
    };

    private static IResult Error(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(new PasskeyError(error, description), statusCode: status);

    private sealed class SeeOther(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }

    private sealed record NameRequest([property: System.Text.Json.Serialization.JsonPropertyName("name")] string? Name);

    private sealed record ReturnUrlRequest([property: System.Text.Json.Serialization.JsonPropertyName("returnUrl")] string? ReturnUrl);
}

public sealed record PasskeyError(
    [property: System.Text.Json.Serialization.JsonPropertyName("error")] string Error,
    [property: System.Text.Json.Serialization.JsonPropertyName("error_description")] string ErrorDescription);

public sealed record PasskeyRedirect([property: System.Text.Json.Serialization.JsonPropertyName("redirect")] string Redirect);

public sealed record PasskeyRegistered(
    [property: System.Text.Json.Serialization.JsonPropertyName("id")] Guid Id,
    [property: System.Text.Json.Serialization.JsonPropertyName("name")] string Name);
