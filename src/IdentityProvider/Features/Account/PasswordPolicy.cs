using System.IO.Compression;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.AspNetCore.Identity;
using OnePass.IdentityProvider.Data;

namespace OnePass.IdentityProvider.Features.Account;

/// <summary>
/// The one password policy (NIST SP 800-63B §3.1.1.2; CATALOGUE IN-LG-03…05), used wherever a password is set:
/// Identity's <see cref="UserManager{TUser}"/> (registration, reset, change, the seed's and the CLI's
/// <c>CreateAsync</c>) through this validator, and the seed and <c>users create</c> checks before anything is
/// written (<c>SeedValidator.PasswordProblem</c>).
/// <list type="bullet">
/// <item>Length is counted in Unicode code points after NFKC normalisation, as §3.1.1.2 says ("each Unicode code
/// point SHALL be counted as a single character"). Not text elements (grapheme clusters): their boundaries change
/// with Unicode and ICU versions, so a password accepted today could become "too short" after an upgrade, while
/// NFKC output is stable by Unicode's normalisation stability policy. NFKC folds look-alike forms first
/// (full-width letters, ligatures, decomposed Hangul jamo), so they neither pad the length nor slip past the
/// blocklist and the "onepass" rule. An emoji such as 🐴 is one character; 🏛️ (with its variation selector) two.</item>
/// <item>At least <see cref="PasswordRules.MinimumLength"/> characters (a password alone can sign in), at most
/// <see cref="PasswordRules.MaximumLength"/>; spaces and every Unicode character allowed; no composition rules.</item>
/// <item>Refused when it contains the username or the part of the e-mail address before the @ (each when at
/// least <see cref="MinimumIdentifierLength"/> characters, so a one-letter name does not forbid that letter),
/// or "onepass", compared case-insensitively after NFKC; or when the whole password is on
/// <see cref="PasswordBlocklist"/>.</item>
/// </list>
/// Messages speak only of the password being set and of this user's own names: nothing about other accounts.
/// </summary>
public sealed class PasswordPolicy : IPasswordValidator<OnePassUser>
{
    public const string ServiceName = "onepass";

    /// <summary>A username or e-mail local part shorter than this is not looked for in the password.</summary>
    public const int MinimumIdentifierLength = 3;

    public const string TooShortCode = "PasswordTooShort";
    public const string TooLongCode = "PasswordTooLong";
    public const string ContainsUsernameCode = "PasswordContainsUsername";
    public const string ContainsServiceNameCode = "PasswordContainsServiceName";
    public const string BlocklistedCode = "PasswordBlocklisted";

    // Longer raw input is refused without normalising it: NFKC shrinks text by at most a few code units per
    // character (composed Hangul, combining marks), never 16-fold, so nothing acceptable is lost.
    private const int RawLengthLimit = PasswordRules.MaximumLength * 16;

    public async Task<IdentityResult> ValidateAsync(UserManager<OnePassUser> manager, OnePassUser user, string? password)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(user);
        var problems = Check(password ?? string.Empty, await manager.GetUserNameAsync(user), await manager.GetEmailAsync(user));
        return problems.Count == 0 ? IdentityResult.Success : IdentityResult.Failed([.. problems.Select(problem => problem.ToIdentityError())]);
    }

    /// <summary>Every rule the password breaks, most basic first; empty when it is acceptable.</summary>
    public static IReadOnlyList<PasswordProblem> Check(string password, string? userName, string? email)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length > RawLengthLimit)
        {
            return [TooLong(password.Length)];
        }

        var normalized = Normalize(password);
        var length = CountCharacters(normalized);
        if (length < PasswordRules.MinimumLength)
        {
            return [new(TooShortCode, $"must be at least {PasswordRules.MinimumLength} characters long (it has {length}); several words make a long password easy to remember")];
        }

        if (length > PasswordRules.MaximumLength)
        {
            return [TooLong(length)];
        }

        var problems = new List<PasswordProblem>();
        if (ContainsIdentifier(normalized, userName))
        {
            problems.Add(new(ContainsUsernameCode, "must not contain the username"));
        }

        var at = email?.LastIndexOf('@') ?? -1;
        if (at > 0 && ContainsIdentifier(normalized, email![..at]))
        {
            problems.Add(new(ContainsUsernameCode, "must not contain the part of the e-mail address before the @"));
        }

        if (normalized.Contains(ServiceName, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add(new(ContainsServiceNameCode, $"must not contain \"{ServiceName}\""));
        }

        if (PasswordBlocklist.ContainsNormalized(normalized))
        {
            problems.Add(new(BlocklistedCode, "is on the list of common and breached passwords that attackers try first; choose another"));
        }

        return problems;
    }

    /// <summary>NFKC; a string with an unpaired surrogate (not valid Unicode) has it replaced by U+FFFD first.</summary>
    public static string Normalize(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        try
        {
            return value.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            var builder = new StringBuilder(value.Length);
            foreach (var rune in value.EnumerateRunes())
            {
                builder.Append(rune.ToString());
            }

            return builder.ToString().Normalize(NormalizationForm.FormKC);
        }
    }

    /// <summary>Unicode code points (a surrogate pair is one).</summary>
    public static int CountCharacters(string normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        var count = 0;
        foreach (var _ in normalized.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static PasswordProblem TooLong(int length) =>
        new(TooLongCode, $"must be at most {PasswordRules.MaximumLength} characters long (it has {length})");

    private static bool ContainsIdentifier(string normalizedPassword, string? identifier)
    {
        if (string.IsNullOrEmpty(identifier))
        {
            return false;
        }

        var normalized = Normalize(identifier);
        return CountCharacters(normalized) >= MinimumIdentifierLength && normalizedPassword.Contains(normalized, StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>One broken rule: an Identity error code and what the password must (not) be, e.g. "must not contain the username".</summary>
public sealed record PasswordProblem(string Code, string Rule)
{
    public string Description => $"The password {Rule}.";

    public IdentityError ToIdentityError() => new() { Code = Code, Description = Description };
}

/// <summary>
/// Common and breached passwords (Blocklist/README.md: sources, licences, how the file was made), shipped as the
/// embedded resource <see cref="ResourceName"/>: gzip-compressed UTF-8, one lower-cased NFKC entry per line.
/// Loaded once, on first use, into a sorted array of 64-bit XxHash64 values of each entry (re-normalised here, so
/// the file and the check agree on case folding), looked up by binary search. Measured for the 414,873 entries
/// (.NET 10, the 2-core development machine while other builds ran, load average 16): 3.4 MB retained (8 bytes an
/// entry; a HashSet&lt;string&gt; of the same entries retained 30 MB and took about twice as long to fill), 0.55–1.0 s to
/// load (decompress, normalise, hash, sort) on first use. A false match needs a 64-bit collision:
/// with 4×10⁵ entries the chance for any one password is about 2×10⁻¹⁴.
/// </summary>
public static class PasswordBlocklist
{
    public const string ResourceName = "OnePass.IdentityProvider.PasswordBlocklist.txt.gz";

    private static readonly Lazy<ulong[]> Hashes = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Distinct entries (after normalisation).</summary>
    public static int Count => Hashes.Value.Length;

    /// <summary>Whether the whole password, NFKC-normalised and compared case-insensitively, is on the list.</summary>
    public static bool Contains(string password) => ContainsNormalized(PasswordPolicy.Normalize(password));

    internal static bool ContainsNormalized(string normalized) =>
        Array.BinarySearch(Hashes.Value, Hash(normalized.ToLowerInvariant())) >= 0;

    private static ulong Hash(string folded) => XxHash64.HashToUInt64(MemoryMarshal.AsBytes(folded.AsSpan()));

    private static ulong[] Load()
    {
        using var resource = typeof(PasswordBlocklist).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The password blocklist resource '{ResourceName}' is missing from the build.");
        using var gzip = new GZipStream(resource, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        var hashes = new List<ulong>(420_000);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                hashes.Add(Hash(PasswordPolicy.Normalize(line).ToLowerInvariant()));
            }
        }

        var sorted = hashes.ToArray();
        Array.Sort(sorted);
        return sorted.AsSpan()[..Deduplicate(sorted)].ToArray();
    }

    private static int Deduplicate(ulong[] sorted)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }

        var last = 0;
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i] != sorted[last])
            {
                sorted[++last] = sorted[i];
            }
        }

        return last + 1;
    }
}
