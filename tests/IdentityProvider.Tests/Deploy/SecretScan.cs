using System.Text.RegularExpressions;

namespace OnePass.IdentityProvider.Tests.Deploy;

/// <summary>
/// Whether a value we ship in a Secret (or an example configuration) could be a real secret: every secret
/// we ship is a placeholder containing "change-me", and nothing else in it may look like a key or password.
/// </summary>
internal static partial class SecretScan
{
    public const string Placeholder = "change-me";

    /// <summary>The parts of a value that look like a real secret; empty for a placeholder-only value.</summary>
    public static IReadOnlyList<string> RealLookingParts(string value)
    {
        var findings = new List<string>();
        foreach (Match match in Assignment().Matches(value))
        {
            var secret = match.Groups["value"].Value.Trim();
            if (!secret.Contains(Placeholder, StringComparison.OrdinalIgnoreCase))
            {
                findings.Add($"{match.Groups["name"].Value}={secret}");
            }
        }

        foreach (Match match in LongToken().Matches(value))
        {
            var token = match.Value;
            var classes = new[] { token.Any(char.IsAsciiLetterLower), token.Any(char.IsAsciiLetterUpper), token.Any(char.IsAsciiDigit) }.Count(present => present);
            if (!token.Contains(Placeholder, StringComparison.OrdinalIgnoreCase) && classes >= 3)
            {
                findings.Add(token);
            }
        }

        return findings;
    }

    // password=…, Password=…;  "clientSecret": "…"  token: …
    [GeneratedRegex(@"(?<name>password|pwd|secret|clientsecret|token|apikey|api_key|privatekey)""?\s*[=:]\s*""?(?<value>[^;"",\r\n]+)", RegexOptions.IgnoreCase)]
    private static partial Regex Assignment();

    [GeneratedRegex(@"[A-Za-z0-9+/=_\-]{20,}")]
    private static partial Regex LongToken();
}
