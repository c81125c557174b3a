using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OtpNet;
using QRCoder;

namespace OnePass.IdentityProvider.Features.Mfa;

/// <summary>
/// Authenticator apps (TOTP, RFC 6238; Otp.NET): SHA-1, 6 digits, 30 s steps, at most one step of clock
/// skew either way (CATALOGUE IN-LG-08). A code is accepted once: the step it matched must be later than
/// the last accepted one, and that is decided by one conditional UPDATE, so neither a second node nor a
/// restart accepts it again (IN-LG-07, FT-04). Ten wrong codes in a row lock codes for 15 minutes
/// (AT-20), apart from the password's own lockout; recovery codes still work meanwhile (AT-21).
/// </summary>
public sealed class TotpAuthenticator(OnePassDbContext db, IDataProtectionProvider dataProtection, TimeProvider time)
{
    public const int MaxConsecutiveFailures = 10;
    public static readonly TimeSpan LockDuration = TimeSpan.FromMinutes(15);
    private static readonly VerificationWindow Window = new(previous: 1, future: 1);

    private readonly IDataProtector _protector = dataProtection.CreateProtector("OnePass.Totp.v1");

    public static byte[] NewSecret() => KeyGeneration.GenerateRandomKey(20);

    public static string Base32(byte[] secret) => Base32Encoding.ToString(secret);

    /// <summary>The <c>otpauth://</c> URI an authenticator app scans.</summary>
    public static string OtpAuthUri(byte[] secret, string account) =>
        new OtpUri(OtpType.Totp, secret, account, "OnePass").ToString();

    /// <summary>The QR code of the URI as a PNG data URI, drawn here (no outside service sees the secret).</summary>
    public static string QrCodeDataUri(string otpAuthUri)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(otpAuthUri, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(6);
        return "data:image/png;base64," + Convert.ToBase64String(png);
    }

    /// <summary>Starts (or restarts) an enrolment: a new secret, not usable to sign in until confirmed.</summary>
    public async Task<byte[]> BeginEnrolmentAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var secret = NewSecret();
        var existing = await db.UserTotps.SingleOrDefaultAsync(totp => totp.UserId == userId, cancellationToken);
        if (existing is { ConfirmedAt: not null })
        {
            throw new InvalidOperationException("An authenticator app is already set up; remove it first.");
        }

        if (existing is null)
        {
            db.UserTotps.Add(new UserTotp { UserId = userId, ProtectedSecret = Protect(secret), CreatedAt = time.GetUtcNow() });
        }
        else
        {
            existing.ProtectedSecret = Protect(secret);
            existing.CreatedAt = time.GetUtcNow();
            existing.ConsecutiveFailures = 0;
            existing.LockedUntil = null;
            existing.LastAcceptedStep = 0;
        }

        await db.SaveChangesAsync(cancellationToken);
        return secret;
    }

    /// <summary>The secret of an enrolment in progress (to show it again), or null.</summary>
    public async Task<byte[]?> PendingEnrolmentSecretAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var row = await db.UserTotps.AsNoTracking().SingleOrDefaultAsync(totp => totp.UserId == userId && totp.ConfirmedAt == null, cancellationToken);
        return row is null ? null : Unprotect(row.ProtectedSecret);
    }

    /// <summary>Checks a code against the confirmed app (sign-in) or the enrolment in progress (<paramref name="enrolment"/>).</summary>
    public async Task<TotpResult> VerifyAsync(Guid userId, string code, bool enrolment = false, CancellationToken cancellationToken = default)
    {
        var row = await db.UserTotps.AsNoTracking().SingleOrDefaultAsync(totp => totp.UserId == userId, cancellationToken);
        if (row is null || (row.ConfirmedAt is null) != enrolment)
        {
            return TotpResult.NotEnrolled;
        }

        var now = time.GetUtcNow();
        if (row.LockedUntil is { } lockedUntil && lockedUntil > now)
        {
            return TotpResult.Locked;
        }

        if (!IsWellFormed(code) ||
            !new Totp(Unprotect(row.ProtectedSecret)).VerifyTotp(now.UtcDateTime, code, out var step, Window))
        {
            await RecordFailureAsync(userId, cancellationToken);
            return TotpResult.Invalid;
        }

        // The one place a code is accepted: only if its step is newer than every accepted before.
        var accepted = await db.UserTotps
            .Where(totp => totp.UserId == userId && totp.LastAcceptedStep < step)
            .ExecuteUpdateAsync(set => set
                .SetProperty(totp => totp.LastAcceptedStep, step)
                .SetProperty(totp => totp.ConsecutiveFailures, 0)
                .SetProperty(totp => totp.LockedUntil, (DateTimeOffset?)null)
                .SetProperty(totp => totp.ConfirmedAt, totp => totp.ConfirmedAt ?? now), cancellationToken);
        if (accepted == 0)
        {
            await RecordFailureAsync(userId, cancellationToken);
            return TotpResult.Replayed;
        }

        return TotpResult.Accepted;
    }

    /// <summary>A wrong code (or a malformed one, CATALOGUE IN-LG-06) counts towards the code lock.</summary>
    public async Task RecordFailureAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var lockedUntil = time.GetUtcNow() + LockDuration;
        await db.UserTotps.Where(totp => totp.UserId == userId).ExecuteUpdateAsync(set => set
            .SetProperty(totp => totp.ConsecutiveFailures, totp => totp.ConsecutiveFailures + 1)
            .SetProperty(totp => totp.LockedUntil, totp => totp.ConsecutiveFailures + 1 >= MaxConsecutiveFailures ? lockedUntil : totp.LockedUntil),
            cancellationToken);
    }

    public async Task RemoveAsync(Guid userId, CancellationToken cancellationToken = default) =>
        await db.UserTotps.Where(totp => totp.UserId == userId).ExecuteDeleteAsync(cancellationToken);

    /// <summary>Enrols a known secret at once (seed files' <c>totpSecret</c>, Base32).</summary>
    public async Task EnrolConfirmedAsync(Guid userId, byte[] secret, CancellationToken cancellationToken = default)
    {
        await RemoveAsync(userId, cancellationToken);
        db.UserTotps.Add(new UserTotp
        {
            UserId = userId,
            ProtectedSecret = Protect(secret),
            CreatedAt = time.GetUtcNow(),
            ConfirmedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> IsEnrolledWithAsync(Guid userId, byte[] secret, CancellationToken cancellationToken = default)
    {
        var row = await db.UserTotps.AsNoTracking().SingleOrDefaultAsync(totp => totp.UserId == userId && totp.ConfirmedAt != null, cancellationToken);
        return row is not null && Unprotect(row.ProtectedSecret).AsSpan().SequenceEqual(secret);
    }

    public static bool IsWellFormed(string? code) => code is { Length: 6 } && code.All(char.IsAsciiDigit);

    private string Protect(byte[] secret) => Convert.ToBase64String(_protector.Protect(secret));

    private byte[] Unprotect(string value) => _protector.Unprotect(Convert.FromBase64String(value));
}

public enum TotpResult
{
    Accepted,
    Invalid,
    Replayed,
    Locked,
    NotEnrolled,
}
