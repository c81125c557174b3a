using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Email;
using OnePass.IdentityProvider.Features.Site;
using OnePass.IdentityProvider.Infrastructure;

namespace OnePass.IdentityProvider.Features.Account;

/// <summary>
/// The e-mails of registration and recovery (issue 6), in the language of the request that caused them.
/// Links are built from the configured issuer, never from the Host header: a forged Host would otherwise
/// send a citizen's reset token to the attacker's site (password-reset poisoning). Only in Development
/// without an issuer is the request's own base URL used, as OpenIddict does.
/// </summary>
public sealed class AccountEmails(
    IEmailSender sender,
    UserManager<OnePassUser> users,
    IOptions<OnePassOptions> options,
    IHostEnvironment environment,
    ILogger<AccountEmails> logger)
{
    /// <summary>Sent to an address that was registered: the link that confirms it.</summary>
    public async Task SendVerificationAsync(HttpContext context, OnePassUser user, string? returnUrl)
    {
        var token = await users.GenerateEmailConfirmationTokenAsync(user);
        var link = Link(context, AccountLinks.VerifyEmailPath, new()
        {
            ["userId"] = user.Id.ToString(),
            ["code"] = token,
            ["ReturnUrl"] = SignInPaths.IsSafe(returnUrl) ? returnUrl : null,
        });
        await SendAsync(user.Email!, "mail.verify.subject", Texts.Format("mail.verify.body", user.DisplayName, link), context.RequestAborted);
    }

    /// <summary>Sent when someone registers an address that already has an account: the owner is told, the page is not.</summary>
    public Task SendAlreadyRegisteredAsync(HttpContext context, string email) =>
        SendAsync(email, "mail.exists.subject", Texts.Format("mail.exists.body",
            Link(context, SignInPaths.LoginPath, []), Link(context, AccountLinks.ForgotPasswordPath, [])), context.RequestAborted);

    /// <summary>Sent on "forgot password": a single-use link (the reset changes the security stamp) valid for one hour.</summary>
    public async Task SendPasswordResetAsync(HttpContext context, OnePassUser user)
    {
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var link = Link(context, AccountLinks.ResetPasswordPath, new() { ["userId"] = user.Id.ToString(), ["code"] = token });
        await SendAsync(user.Email!, "mail.reset.subject", Texts.Format("mail.reset.body", link), context.RequestAborted);
    }

    /// <summary>Sent after a password reset, so that a citizen who did not ask for it can react.</summary>
    public Task SendPasswordChangedAsync(HttpContext context, OnePassUser user) =>
        SendAsync(user.Email!, "mail.changed.subject", Texts.Format("mail.changed.body", Link(context, AccountLinks.ForgotPasswordPath, [])),
            context.RequestAborted);

    /// <summary>Sent after the citizen changed their password on /account/password: this device stays signed in, the others were signed out.</summary>
    public Task SendPasswordChangedHereAsync(HttpContext context, OnePassUser user) =>
        SendAsync(user.Email!, "mail.changed.subject", Texts.Format("mail.passwordChange.body", Link(context, AccountLinks.ForgotPasswordPath, [])),
            context.RequestAborted);

    /// <summary>Sent to a new address the citizen asked for: the link that confirms it (bound to that address, one hour, single use).</summary>
    public async Task SendEmailChangeConfirmationAsync(HttpContext context, OnePassUser user, string newEmail)
    {
        var token = await users.GenerateChangeEmailTokenAsync(user, newEmail);
        var link = Link(context, ConfirmEmailChangeModel.PagePath, new()
        {
            ["userId"] = user.Id.ToString(),
            ["email"] = newEmail,
            ["code"] = token,
        });
        await SendAsync(newEmail, "mail.emailChange.confirm.subject", Texts.Format("mail.emailChange.confirm.body", user.DisplayName, link), context.RequestAborted);
    }

    /// <summary>Sent to a new address that already belongs to another account: its holder is told, the page is not.</summary>
    public Task SendEmailChangeTakenAsync(HttpContext context, string newEmail) =>
        SendAsync(newEmail, "mail.emailChange.exists.subject", Texts.Format("mail.emailChange.exists.body",
            Link(context, SignInPaths.LoginPath, []), Link(context, AccountLinks.ForgotPasswordPath, [])), context.RequestAborted);

    /// <summary>Sent to the current address when a change to another one is asked for, so that a citizen who did not ask can react.</summary>
    public Task SendEmailChangeNoticeAsync(HttpContext context, string currentEmail, string newEmail) =>
        SendAsync(currentEmail, "mail.emailChange.notice.subject", Texts.Format("mail.emailChange.notice.body",
            newEmail, Link(context, AccountLinks.ForgotPasswordPath, [])), context.RequestAborted);

    private async Task SendAsync(string to, string subjectKey, string body, CancellationToken cancellationToken)
    {
        try
        {
            await sender.SendAsync(new EmailMessage(to, Texts.Get(subjectKey), body + "\n\n" + Texts.Get("mail.footer")), cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or ArgumentException or MimeKit.ParseException)
        {
            // The page answers the same whatever happened to the mail (enumeration resistance); the operator sees it here.
            logger.LogError(exception, "An account e-mail ({Kind}) could not be sent.", subjectKey);
        }
    }

    private string Link(HttpContext context, string path, Dictionary<string, string?> query)
    {
        var issuer = options.Value.IssuerUri;
        if (issuer is null && environment.IsDevelopment())
        {
            issuer = new Uri($"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/");
        }

        if (issuer is null)
        {
            throw new InvalidOperationException("OnePass__Issuer is required to build links in e-mails.");
        }

        var absolute = new Uri(issuer, path.TrimStart('/')).AbsoluteUri;
        return QueryHelpers.AddQueryString(absolute, query.Where(pair => pair.Value is not null));
    }
}

/// <summary>The account pages' paths and input rules shared by registration and recovery.</summary>
public static partial class AccountLinks
{
    public const string RegisterPath = "/account/register";
    public const string VerifyEmailPath = "/account/verify-email";
    public const string ForgotPasswordPath = "/account/forgot-password";
    public const string ResetPasswordPath = "/account/reset-password";

    /// <summary>The longest address accepted (RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the brackets).</summary>
    public const int MaxEmailLength = 254;

    public const int MaxNameLength = 200;

    /// <summary>
    /// A self-registered account whose address is not confirmed yet carries this user claim; it cannot sign in
    /// (see <see cref="RegistrationConfirmation"/>). Accounts made by the seed or an administrator never do.
    /// </summary>
    public const string PendingClaimType = "onepass:registration";

    public const string PendingClaimValue = "pending";

    /// <summary>A path with the return URL kept when it is one we would follow.</summary>
    public static string WithReturnUrl(string path, string? returnUrl) =>
        SignInPaths.IsSafe(returnUrl) ? QueryHelpers.AddQueryString(path, "ReturnUrl", returnUrl!) : path;

    /// <summary>
    /// An address that is also a valid username (the username is the address): ASCII letters, digits and
    /// <c>. _ + -</c> before the <c>@</c>, a dotted domain name after it.
    /// </summary>
    public static bool IsValidEmail(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxEmailLength && EmailPattern().IsMatch(value);

    /// <summary>A name without control or direction-changing characters, which could disguise it in e-mails and lists.</summary>
    public static bool IsValidName(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= MaxNameLength &&
        !value.Any(c => char.IsControl(c) || c is '\u200E' or '\u200F' or '\u061C' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'));

    public static bool IsPending(IEnumerable<Claim> claims) =>
        claims.Any(claim => claim.Type == PendingClaimType && claim.Value == PendingClaimValue);

    [GeneratedRegex(@"^[A-Za-z0-9_+-]+(\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex EmailPattern();
}

/// <summary>
/// Identity's "is this account confirmed" rule (<c>SignIn.RequireConfirmedAccount</c>): a self-registered account
/// signs in only once its address is confirmed. Its refusal is the same generic sign-in failure as a wrong
/// password (<see cref="PasswordSignIn"/>, CATALOGUE AT-22).
/// </summary>
public sealed class RegistrationConfirmation : IUserConfirmation<OnePassUser>
{
    public async Task<bool> IsConfirmedAsync(UserManager<OnePassUser> manager, OnePassUser user)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(user);
        return user.EmailConfirmed || !AccountLinks.IsPending(await manager.GetClaimsAsync(user));
    }
}

/// <summary>Password errors from Identity's validators, in the citizen's language where we have the words.</summary>
public static class PasswordErrors
{
    public static IReadOnlyList<string> Describe(IEnumerable<IdentityError> errors) =>
        [.. errors.Select(error =>
        {
            var key = "password.error." + error.Code;
            var text = error.Code == "PasswordTooShort" ? Texts.Format(key, PasswordRules.MinimumLength) : Texts.Get(key);
            return text == key ? error.Description : text;
        }).Distinct()];

    /// <summary>
    /// The form-level problems of a new password and its confirmation, as (field, message): missing, absurdly
    /// long (a cheap bound before hashing; a code point is at most two UTF-16 units, and the policy counts code
    /// points exactly), or not confirmed. The password rules themselves are <see cref="ValidateAsync"/>'s.
    /// </summary>
    public static IEnumerable<(string Field, string Message)> NewPasswordFieldProblems(string? password, string? confirmation)
    {
        if (string.IsNullOrEmpty(password))
        {
            yield return ("password", Texts.Get("register.password.required"));
        }
        else if (password.Length > 2 * PasswordRules.MaximumLength)
        {
            yield return ("password", Texts.Format("register.password.tooLong", PasswordRules.MaximumLength));
        }
        else if (!string.Equals(password, confirmation, StringComparison.Ordinal))
        {
            yield return ("confirmPassword", Texts.Get("register.confirm.mismatch"));
        }
    }

    /// <summary>Runs every password validator against a would-be user, without looking anything up.</summary>
    public static async Task<IReadOnlyList<string>> ValidateAsync(UserManager<OnePassUser> users, OnePassUser user, string password)
    {
        var errors = new List<IdentityError>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, user, password);
            errors.AddRange(result.Errors);
        }

        return Describe(errors);
    }
}

/// <summary>The messages shown under one form field (its element id is <c>{Field}-error</c>, named by the field's aria-describedby).</summary>
public sealed record FieldErrors(string Field, IReadOnlyList<string> Messages);
