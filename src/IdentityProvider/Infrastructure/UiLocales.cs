using System.Globalization;
using Microsoft.AspNetCore.Localization;
using OnePass.IdentityProvider.Features.Site;

namespace OnePass.IdentityProvider.Infrastructure;

/// <summary>
/// Honours OIDC <c>ui_locales</c> (space-separated BCP 47 tags in order of preference, OIDC Core
/// §3.1.2.1): the first one OnePass speaks wins; anything else falls back to the browser's languages.
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

public static class UiLocales
{
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

    /// <summary>Switches the current request to the first supported <c>ui_locales</c> value, if any.</summary>
    public static void Apply(string? uiLocales)
    {
        if (FirstSupported(uiLocales) is { } language)
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(language);
        }
    }
}
