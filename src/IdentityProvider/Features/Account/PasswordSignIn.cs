using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Mfa;

namespace OnePass.IdentityProvider.Features.Account;

/// <summary>
/// Checks a username and password the same way whatever the outcome: an unknown user, a locked or
/// disabled account and a wrong password all cost one password-hash verification and all answer
/// <see cref="PasswordSignInResult.Failed"/> (CONTRACT §4, CATALOGUE AT-22). Failures count towards
/// the account lockout kept in the database. At most <see cref="PasswordHashingGate.Slots"/> hashes run at once
/// (issue 7): past that the sign-in is answered 503 with <c>Retry-After</c> before anything is checked or counted.
/// </summary>
public sealed class PasswordSignIn(
    UserManager<OnePassUser> users,
    SignInManager<OnePassUser> signIns,
    IPasswordHasher<OnePassUser> hasher,
    DummyPasswordHash dummy,
    PasswordHashingGate gate,
    AuthAudit audit,
    ILogger<PasswordSignIn> logger)
{
    /// <summary>
    /// Checks the password; on success returns the user (the caller then asks for a second factor or
    /// signs in). Every outcome is an audit event.
    /// </summary>
    public async Task<(PasswordSignInResult Result, OnePassUser? User)> CheckAsync(string username, string password)
    {
        var (result, user) = await VerifyAsync(username, password);
        await audit.RecordAsync(signIns.Context, user?.Id, AuthenticationMethods.Password,
            result == PasswordSignInResult.Succeeded ? AuthAudit.Success : AuthAudit.Failure);
        return (result, result == PasswordSignInResult.Succeeded ? user : null);
    }

    private async Task<(PasswordSignInResult, OnePassUser?)> VerifyAsync(string username, string password)
    {
        var user = await users.FindByNameAsync(username) ?? await FindByEmailAsync(username);
        using var slot = await gate.EnterAsync(signIns.Context.RequestAborted);
        if (user is null || user.PasswordHash is null)
        {
            dummy.Verify(hasher, password);
            logger.LogInformation("Password sign-in failed.");
            return (PasswordSignInResult.Failed, null);
        }

        if (await users.IsLockedOutAsync(user) || !await signIns.CanSignInAsync(user))
        {
            // Same work as a real check, so a locked account cannot be told apart by timing.
            dummy.Verify(hasher, password);
            logger.LogInformation("Password sign-in refused for locked or disabled user {UserId}.", user.Id);
            return (PasswordSignInResult.Failed, user);
        }

        if (!await users.CheckPasswordAsync(user, password))
        {
            await users.AccessFailedAsync(user);
            logger.LogInformation("Password sign-in failed for user {UserId}.", user.Id);
            return (PasswordSignInResult.Failed, user);
        }

        await users.ResetAccessFailedCountAsync(user);
        logger.LogInformation("User {UserId} gave the right password.", user.Id);
        return (PasswordSignInResult.Succeeded, user);
    }

    // Citizens may type their e-mail address instead of their username; only a confirmed, unique one counts.
    private async Task<OnePassUser?> FindByEmailAsync(string value)
    {
        if (!value.Contains('@', StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var user = await users.FindByEmailAsync(value);
            return user is { EmailConfirmed: true } ? user : null;
        }
        catch (InvalidOperationException)
        {
            return null; // more than one account has that address
        }
    }
}

public enum PasswordSignInResult
{
    Succeeded,
    Failed,
}

/// <summary>A hash of a random password, made once with the real hasher, to spend equal time on unknown users.</summary>
public sealed class DummyPasswordHash
{
    private static readonly OnePassUser Nobody = new() { UserName = "nobody" };
    private string? _hash;

    public void Verify(IPasswordHasher<OnePassUser> hasher, string password)
    {
        _hash ??= hasher.HashPassword(Nobody, Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));
        _ = hasher.VerifyHashedPassword(Nobody, _hash, password);
    }
}
