using System.Text.RegularExpressions;
using OnePass.IdentityProvider.Features.Site;

namespace OnePass.IdentityProvider.Tests.Site;

/// <summary>The resource files (issue 6 item 4): every text exists in Korean and French, with the same placeholders.</summary>
public sealed partial class TextsTests
{
    // Names, not words: the same in every language.
    private static readonly string[] SameEverywhere = ["app.name"];

    public static TheoryData<string> Translations() => ["fr", "ko"];

    [Theory]
    [MemberData(nameof(Translations))]
    public void Translation_HasEveryEnglishKey(string language)
    {
        var missing = Texts.Keys().Except(SameEverywhere).Except(Texts.KeysIn(language)).Order(StringComparer.Ordinal).ToList();

        Assert.Empty(missing);
    }

    [Theory]
    [MemberData(nameof(Translations))]
    public void Translation_HasNoKeyEnglishLacks(string language)
    {
        var extra = Texts.KeysIn(language).Except(Texts.Keys()).ToList();

        Assert.Empty(extra);
    }

    [Theory]
    [MemberData(nameof(Translations))]
    public void Translation_UsesTheSamePlaceholdersAsEnglish(string language)
    {
        var english = Texts.Keys().ToDictionary(key => key, key => Placeholders(Texts.In("en", key)));

        var different = Texts.KeysIn(language)
            .Where(key => !english[key].SetEquals(Placeholders(Texts.In(language, key))))
            .ToList();

        Assert.Empty(different);
    }

    [Fact]
    public void Get_WithAnUnknownKey_ShowsTheKey()
    {
        Assert.Equal("no.such.key", Texts.Get("no.such.key"));
    }

    private static HashSet<string> Placeholders(string text) => [.. PlaceholderPattern().Matches(text).Select(match => match.Value)];

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex PlaceholderPattern();
}
