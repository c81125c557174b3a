using Microsoft.AspNetCore.WebUtilities;

namespace OnePass.IdentityProvider.Features.Account;

/// <summary>
/// Where the sign-in pages live and which return URLs they follow. Only local paths into the
/// authorization flow or the account area are followed (CATALOGUE IN-LG-11, CVE-2024-39694):
/// never another host, a scheme-relative <c>//</c> or <c>/\</c>, or an encoded variant of those.
/// </summary>
public static class SignInPaths
{
    public const string LoginPath = "/account/login";

    private static readonly string[] AllowedPrefixes = ["/connect/authorize", "/connect/endsession", "/account"];

    public static string Login(string returnUrl, string? loginHint, string? uiLocales)
    {
        var query = new Dictionary<string, string?> { ["ReturnUrl"] = returnUrl };
        if (!string.IsNullOrEmpty(loginHint))
        {
            query["login_hint"] = loginHint;
        }

        if (!string.IsNullOrEmpty(uiLocales))
        {
            query["ui_locales"] = uiLocales;
        }

        return QueryHelpers.AddQueryString(LoginPath, query);
    }

    /// <summary>The return URL when it is safe to follow, else the home page.</summary>
    public static string SafeReturnUrl(string? returnUrl) => IsSafe(returnUrl) ? returnUrl! : "/";

    public static bool IsSafe(string? returnUrl)
    {
        // Our own return URLs are percent-encoded ASCII; anything else (CR/LF, DEL, non-ASCII) is
        // refused before it could reach a Location header.
        if (string.IsNullOrEmpty(returnUrl) || returnUrl.Length > 8192 || returnUrl.Any(c => c is < '\u0021' or > '\u007E'))
        {
            return false;
        }

        // Decode repeatedly so that %2F%2F or %5C variants are judged as the browser would see them.
        var decoded = returnUrl;
        for (var i = 0; i < 3; i++)
        {
            var next = Uri.UnescapeDataString(decoded);
            if (next == decoded)
            {
                break;
            }

            decoded = next;
        }

        var path = decoded.Split('?', 2)[0];
        if (path.Length == 0 || path[0] != '/' || path.StartsWith("//", StringComparison.Ordinal) ||
            path.Contains('\\', StringComparison.Ordinal) || path.Any(char.IsControl) ||
            path.Contains("/../", StringComparison.Ordinal) || path.EndsWith("/..", StringComparison.Ordinal))
        {
            return false;
        }

        return AllowedPrefixes.Any(prefix =>
            path.Equals(prefix, StringComparison.OrdinalIgnoreCase) ||
            path.StartsWith(prefix + "/", StringComparison.OrdinalIgnoreCase) ||
            (returnUrl.StartsWith(prefix + "?", StringComparison.OrdinalIgnoreCase) && path.Equals(prefix, StringComparison.OrdinalIgnoreCase)));
    }
}
