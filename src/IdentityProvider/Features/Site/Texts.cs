using System.Globalization;
using System.Resources;

// English is the neutral language: the resource manager reads it from the main assembly, never looks for an "en" satellite.
[assembly: NeutralResourcesLanguage("en")]

namespace OnePass.IdentityProvider.Features.Site;

/// <summary>
/// The words OnePass shows and sends, from the resource files beside this class
/// (<c>Resources/Texts.resx</c> English, <c>Texts.fr.resx</c>, <c>Texts.ko.resx</c>), picked by the
/// request's UI culture: <c>ui_locales</c>, then the language switcher's cookie, then the browser's
/// languages (see <see cref="Infrastructure.UiLocales"/>). A key missing in a language falls back to
/// English; an unknown key is shown as itself so a typo is visible rather than blank.
/// </summary>
public static class Texts
{
    public static IReadOnlyList<string> Cultures { get; } = ["en", "fr", "ko"];

    private static readonly ResourceManager Resources =
        new("OnePass.IdentityProvider.Features.Site.Resources.Texts", typeof(Texts).Assembly);

    public static string Language
    {
        get
        {
            var language = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName;
            return Cultures.Contains(language) ? language : "en";
        }
    }

    public static string Get(string key) =>
        Resources.GetString(key, CultureInfo.CurrentUICulture) ?? key;

    public static string Format(string key, params object?[] arguments) =>
        string.Format(CultureInfo.CurrentCulture, Get(key), arguments);

    /// <summary>A text in a given language (tests and e-mails to someone other than the reader of this page).</summary>
    internal static string In(string language, string key) =>
        Resources.GetString(key, CultureInfo.GetCultureInfo(language)) ?? key;

    /// <summary>Every key of the English table, for the test that checks the other languages have them all.</summary>
    internal static IEnumerable<string> Keys() =>
        Resources.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: false)!
            .Cast<System.Collections.DictionaryEntry>().Select(entry => (string)entry.Key);

    /// <summary>The keys a language defines itself, without falling back to English.</summary>
    internal static IEnumerable<string> KeysIn(string language) =>
        Resources.GetResourceSet(CultureInfo.GetCultureInfo(language), createIfNotExists: true, tryParents: false)?
            .Cast<System.Collections.DictionaryEntry>().Select(entry => (string)entry.Key) ?? [];
}
