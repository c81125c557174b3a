using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using OnePass.IdentityProvider.Features.Account;
using OnePass.IdentityProvider.Infrastructure;

namespace OnePass.IdentityProvider.Features.Site;

/// <summary>
/// The language switcher's target (links in every page's header, so it works without script): remembers
/// the choice for a year and for this browser session, then goes back to the page it came from with that
/// page's <c>ui_locales</c> replaced, so the choice shows at once even on a sign-in page an agency opened
/// in another language.
/// </summary>
public sealed class LanguageModel : PageModel
{
    private static readonly TimeSpan Remembered = TimeSpan.FromDays(365);

    // A GET that sets a preference cookie: the worst a forged link can do is change the page's language, and
    // links keep a sign-in page to one POST form. The return URL is followed only when it is local.
    public IActionResult OnGet(string? culture, string? returnUrl)
    {
        if (culture is null || !Texts.Cultures.Contains(culture))
        {
            return BadRequest(Texts.Get("language.unknown"));
        }

        var secure = Request.IsHttps;
        Response.Cookies.Append(UiLocales.RememberedCookie,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
            new CookieOptions { Path = "/", MaxAge = Remembered, SameSite = SameSiteMode.Lax, HttpOnly = true, Secure = secure, IsEssential = true });
        Response.Cookies.Append(UiLocales.SessionCookie, culture,
            new CookieOptions { Path = "/", SameSite = SameSiteMode.Lax, HttpOnly = true, Secure = secure, IsEssential = true });

        return Redirect(WithLanguage(SignInPaths.SafeReturnUrl(returnUrl), culture));
    }

    /// <summary>The local URL with its own <c>ui_locales</c> (if any) set to the chosen language.</summary>
    internal static string WithLanguage(string localUrl, string culture)
    {
        var queryStart = localUrl.IndexOf('?', StringComparison.Ordinal);
        if (queryStart < 0)
        {
            return localUrl;
        }

        var query = QueryHelpers.ParseQuery(localUrl[queryStart..]);
        if (!query.ContainsKey("ui_locales"))
        {
            return localUrl;
        }

        query["ui_locales"] = culture;
        return QueryHelpers.AddQueryString(localUrl[..queryStart], query);
    }
}
