using System.Globalization;
using Microsoft.AspNetCore.Localization;
using OnePass.IdentityProvider.Features.Site;

namespace OnePass.IdentityProvider.Infrastructure;

/// <summary>
/// Honours OIDC <c>ui_locales</c> (space-separated BCP 47 tags in order of preference, OIDC Core
/// §3.1.2.1): the first one OnePass speaks wins; anything else falls back to the next provider (the
/// language switcher's cookie, then the browser's languages).
/// </summary>
public sealed class UiLocalesRequestCultureProvider : RequestCultureProvider
{
    public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        var value = httpContext.Request.Query["ui_locales"].ToString();
        var language = UiLocales.FirstSupported(value);
        return Task.FromResult(language is null ? null : new ProviderCultureResult(language));
    }
}

/// <summary>
/// The language the citizen picked with the switcher during this browser session. It beats an agency's
/// <c>ui_locales</c>: that parameter is a hint about the citizen's preference, and a choice the citizen has
/// just made is better evidence. The remembered choice (a one-year cookie) comes after <c>ui_locales</c>.
/// </summary>
public sealed class ChosenLanguageRequestCultureProvider : RequestCultureProvider
{
    public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext) =>
        Task.FromResult(UiLocales.ChosenThisSession(httpContext) is { } language ? new ProviderCultureResult(language) : null);
}

public static class UiLocales
{
    /// <summary>The remembered choice, in ASP.NET Core's own format (<c>c=fr|uic=fr</c>), read by its cookie provider.</summary>
    public static readonly string RememberedCookie = CookieRequestCultureProvider.DefaultCookieName;

    /// <summary>The choice made in this browser session (no expiry: it ends when the browser closes).</summary>
    public const string SessionCookie = "onepass.lang";

    public static string? FirstSupported(string? uiLocales)
    {
        if (string.IsNullOrWhiteSpace(uiLocales) || uiLocales.Length > 512)
        {
            return null;
        }

        foreach (var tag in uiLocales.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var language = tag.Split('-', 2)[0].ToLowerInvariant();
            if (Texts.Cultures.Contains(language))
            {
                return language;
            }
        }

        return null;
    }

    public static string? ChosenThisSession(HttpContext context) =>
        context.Request.Cookies[SessionCookie] is { } value && Texts.Cultures.Contains(value) ? value : null;

    /// <summary>
    /// Switches the current request to the first supported <c>ui_locales</c> value of a stored authorization
    /// request, if any, unless the citizen has picked a language with the switcher in this browser session.
    /// </summary>
    public static void Apply(HttpContext context, string? uiLocales)
    {
        if (ChosenThisSession(context) is null && FirstSupported(uiLocales) is { } language)
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(language);
        }
    }
}
