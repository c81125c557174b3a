namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>
/// OnePass levels of assurance (CONTRACT §5) and the RFC 8176 <c>amr</c> values behind them.
/// </summary>
public static class AssuranceLevels
{
    public const string Password = "urn:onepass:loa:1";
    public const string TwoFactors = "urn:onepass:loa:2";
    public const string PhishingResistant = "urn:onepass:loa:3";

    public static IReadOnlyList<string> All { get; } = [Password, TwoFactors, PhishingResistant];

    /// <summary>1, 2 or 3 for a OnePass level; 0 for anything else.</summary>
    public static int Rank(string? acr) => acr switch
    {
        Password => 1,
        TwoFactors => 2,
        PhishingResistant => 3,
        _ => 0,
    };

    /// <summary>
    /// The level a request needs: the lowest OnePass level among <c>acr_values</c> (they are listed in
    /// order of preference, any one satisfies the agency), raised to the agency's own minimum.
    /// Unknown values are ignored. Returns 0 when nothing is asked.
    /// </summary>
    public static int Required(IEnumerable<string> acrValues, string? agencyMinimum)
    {
        var requested = acrValues.Select(Rank).Where(rank => rank > 0).DefaultIfEmpty(0).Min();
        return Math.Max(requested, Rank(agencyMinimum));
    }

    public static string ForRank(int rank) => All[Math.Clamp(rank, 1, All.Count) - 1];

    /// <summary>
    /// What a set of completed methods is worth (CONTRACT §5): a passkey with user verification is
    /// loa:3 on its own (possession plus a PIN or biometric: <c>user</c>, <c>mfa</c>); any two distinct
    /// factors are loa:2 (<c>mfa</c>); a password alone is loa:1. Never more than happened.
    /// </summary>
    public static (string Acr, IReadOnlyList<string> Amr) Evaluate(IEnumerable<string> methods, bool userVerifiedPasskey)
    {
        var done = methods.Where(method => method is not AuthenticationMethods.MultiFactor).Distinct(StringComparer.Ordinal).ToList();
        var passkey = done.Contains(AuthenticationMethods.HardwareKey) || done.Contains(AuthenticationMethods.SoftwareKey);
        if (passkey && userVerifiedPasskey && !done.Contains(AuthenticationMethods.UserPresence))
        {
            done.Add(AuthenticationMethods.UserPresence);
        }

        var factors = done.Count(method => method is AuthenticationMethods.Password or AuthenticationMethods.OneTimePassword) + (passkey ? 1 : 0);
        var acr = passkey && userVerifiedPasskey ? PhishingResistant : factors >= 2 ? TwoFactors : Password;
        if (Rank(acr) >= 2)
        {
            done.Add(AuthenticationMethods.MultiFactor);
        }

        return (acr, done);
    }
}

/// <summary>RFC 8176 authentication method reference values used by OnePass.</summary>
public static class AuthenticationMethods
{
    public const string Password = "pwd";
    public const string OneTimePassword = "otp";
    public const string HardwareKey = "hwk";
    public const string SoftwareKey = "swk";
    public const string MultiFactor = "mfa";
    public const string UserPresence = "user";
}
