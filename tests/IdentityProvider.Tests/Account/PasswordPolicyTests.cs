using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Account;
using OnePass.IdentityProvider.Features.Seed;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Account;

/// <summary>
/// The one NIST SP 800-63B password policy (<see cref="PasswordPolicy"/>): length in code points after NFKC,
/// no composition rules, no username / e-mail / "onepass", not on the blocklist; the same rules in the seed and
/// in Identity's UserManager (CATALOGUE IN-LG-03, IN-LG-04, IN-LG-05).
/// </summary>
public sealed class PasswordPolicyTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private const string UserName = "citizen42";
    private const string Email = "jane.doe@example.test";

    // Entries seen in Blocklist/common-passwords.txt.gz (all at least 15 characters, so only the blocklist refuses them).
    public static TheoryData<string> BlocklistedPasswords => new()
    {
        "1qaz2wsx3edc4rfv",
        "qwertyuiop12345",
        "passwordpassword",
        "123456789qwerty",
        "iloveyoutothemoonandback",
        "truenorthstrongandfree",
    };

    private OnePassHost Host => fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public void Check_FourteenCharacters_IsTooShort()
    {
        var problems = PasswordPolicy.Check("violet harbour", UserName, Email);

        Assert.Equal(PasswordPolicy.TooShortCode, Assert.Single(problems).Code);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public void Check_FifteenCharacters_IsAccepted()
    {
        Assert.Empty(PasswordPolicy.Check("violet harbours", UserName, Email));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public void Check_MaximumLength_IsAccepted()
    {
        Assert.Empty(PasswordPolicy.Check(Passphrase(PasswordRules.MaximumLength), UserName, Email));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public void Check_OneOverMaximumLength_IsTooLong()
    {
        var problems = PasswordPolicy.Check(Passphrase(PasswordRules.MaximumLength + 1), UserName, Email);

        Assert.Equal(PasswordPolicy.TooLongCode, Assert.Single(problems).Code);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public void Check_128CharactersWithSpaces_IsAccepted()
    {
        Assert.Empty(PasswordPolicy.Check(Passphrase(128), UserName, Email));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public void Check_FourteenEmoji_IsTooShortThoughTwentyEightUtf16Units()
    {
        var password = string.Concat(Enumerable.Repeat("🐴", 14));

        var problems = PasswordPolicy.Check(password, UserName, Email);

        Assert.Equal(28, password.Length);
        Assert.Equal(PasswordPolicy.TooShortCode, Assert.Single(problems).Code);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public void Check_FifteenEmoji_IsAccepted()
    {
        Assert.Empty(PasswordPolicy.Check(string.Concat(Enumerable.Repeat("🐴", 15)), UserName, Email));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public void Check_HangulPassphraseWithSpaces_IsAccepted()
    {
        Assert.Empty(PasswordPolicy.Check("동해물과 백두산이 마르고 닳도록", UserName, Email));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public void Check_FourteenHangulSyllables_IsTooShort()
    {
        var problems = PasswordPolicy.Check("동해물과백두산이마르고닳도록", UserName, Email);

        Assert.Equal(PasswordPolicy.TooShortCode, Assert.Single(problems).Code);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public void Check_DecomposedHangul_CountsSyllablesAfterNfkc()
    {
        // Seven syllables typed as 18 conjoining jamo: NFKC composes them back, so the password has 7 characters.
        var decomposed = "동해물과백두산".Normalize(NormalizationForm.FormD);

        var problems = PasswordPolicy.Check(decomposed, UserName, Email);

        Assert.Equal(18, decomposed.Length);
        Assert.Contains("(it has 7)", Assert.Single(problems).Description, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public void Check_LeadingAndTrailingSpaces_CountAsCharacters()
    {
        // 13 letters and a space inside are 14; the two outer spaces make 16.
        Assert.Empty(PasswordPolicy.Check(" violet harbour ", UserName, Email));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-05")]
    public void Check_LowercaseLettersOnly_IsAccepted()
    {
        Assert.Empty(PasswordPolicy.Check("mistyharbourlane", UserName, Email));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-04")]
    public void Check_ContainsUsernameInAnotherCase_IsRefused()
    {
        var problem = Assert.Single(PasswordPolicy.Check("my CITIZEN42 long passphrase", UserName, Email));

        Assert.Equal(PasswordPolicy.ContainsUsernameCode, problem.Code);
        Assert.Contains("username", problem.Description, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-04")]
    public void Check_ContainsEmailLocalPart_IsRefused()
    {
        var problem = Assert.Single(PasswordPolicy.Check("Jane.Doe likes long walks", UserName, Email));

        Assert.Equal(PasswordPolicy.ContainsUsernameCode, problem.Code);
        Assert.Contains("e-mail", problem.Description, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-04")]
    public void Check_ContainsEmailLocalPartShorterThanThree_IsAccepted()
    {
        Assert.Empty(PasswordPolicy.Check("jd is my favourite phrase", UserName, "jd@example.test"));
    }

    [Theory]
    [InlineData("my onepass passphrase")]
    [InlineData("My OnePass passphrase")]
    [InlineData("my ＯＮＥＰＡＳＳ passphrase")]
    [Trait(Catalogue.Row, "IN-LG-04")]
    public void Check_ContainsServiceName_IsRefused(string password)
    {
        var problem = Assert.Single(PasswordPolicy.Check(password, UserName, Email));

        Assert.Equal(PasswordPolicy.ContainsServiceNameCode, problem.Code);
        Assert.Contains("\"onepass\"", problem.Description, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BlocklistedPasswords))]
    [Trait(Catalogue.Row, "IN-LG-04")]
    public void Check_BlocklistedPassword_IsRefused(string password)
    {
        var problem = Assert.Single(PasswordPolicy.Check(password, UserName, Email));

        Assert.Equal(PasswordPolicy.BlocklistedCode, problem.Code);
        Assert.Contains("common and breached passwords", problem.Description, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-04")]
    public void Check_BlocklistedPasswordInAnotherCase_IsRefused()
    {
        Assert.Equal(PasswordPolicy.BlocklistedCode, Assert.Single(PasswordPolicy.Check("PasswordPassword", UserName, Email)).Code);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-04")]
    public void Check_BlocklistedPasswordInFullWidthForm_IsRefused()
    {
        Assert.Equal(PasswordPolicy.BlocklistedCode, Assert.Single(PasswordPolicy.Check("ｑｗｅｒｔｙｕｉｏｐ１２３４５", UserName, Email)).Code);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-04")]
    public void Check_BlocklistedPasswordWithMoreWords_IsAccepted()
    {
        // The whole password is compared (800-63B): a listed phrase inside a longer passphrase is not refused.
        Assert.Empty(PasswordPolicy.Check("passwordpassword is what i will not use", UserName, Email));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-04")]
    public void Blocklist_HasAtLeast100000Entries()
    {
        Assert.True(PasswordBlocklist.Count >= 100_000, $"{PasswordBlocklist.Count} entries");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-04")]
    public void Check_AnyProblem_DescriptionNeverRepeatsThePassword()
    {
        const string password = "my citizen42 onepass phrase";

        var problems = PasswordPolicy.Check(password, UserName, Email);

        Assert.Equal(2, problems.Count);
        Assert.All(problems, problem => Assert.DoesNotContain(password, problem.Description, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-04")]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task ApplySeed_WithBlocklistedPassword_ThrowsNamingTheUserAndChangesNothing()
    {
        var rows = await Host.CountRowsAsync();

        var message = await ApplySeedAsync(SeedUser("seed-blocked", "seed-blocked@example.test", "qwertyuiop12345"));

        Assert.Contains("users[0] (seed-blocked): 'password' is on the list of common and breached passwords", message, StringComparison.Ordinal);
        Assert.Equal(rows, await Host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-04")]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task ApplySeed_WithPasswordContainingEmailLocalPart_ThrowsNamingTheUser()
    {
        var message = await ApplySeedAsync(SeedUser("seed-mail", "harbourmaster@example.test", "the harbourmaster sails at dawn"));

        Assert.Contains("users[0] (seed-mail): 'password' must not contain the part of the e-mail address", message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-04")]
    public async Task CreateAsync_BlocklistedPassword_FailsThroughTheRegisteredValidatorAndStoresNothing()
    {
        var rows = await Host.CountRowsAsync();
        IdentityResult? result = null;

        await Host.WithServicesAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<OnePassUser>>();
            result = await users.CreateAsync(new OnePassUser { UserName = "blocked-citizen", Email = "blocked-citizen@example.test" }, "1qaz2wsx3edc4rfv");
        });

        Assert.False(result!.Succeeded);
        Assert.Equal(PasswordPolicy.BlocklistedCode, Assert.Single(result.Errors).Code);
        Assert.Equal(rows, await Host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-03")]
    public async Task CreateAsync_EightEmoji_FailsAsTooShortOnceThoughSixteenUtf16Units()
    {
        // Identity's own validator (UTF-16 units) would accept this and add a second, differently counted error.
        IdentityResult? result = null;

        await Host.WithServicesAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<OnePassUser>>();
            result = await users.CreateAsync(new OnePassUser { UserName = "emoji-citizen", Email = "emoji-citizen@example.test" }, "🐴🐴🐴🐴🐴🐴🐴🐴");
        });

        Assert.Equal(PasswordPolicy.TooShortCode, Assert.Single(result!.Errors).Code);
    }

    private static string Passphrase(int length)
    {
        var text = new StringBuilder();
        while (text.Length < length)
        {
            text.Append("violet harbour lights ");
        }

        return text.ToString(0, length);
    }

    private static JsonObject SeedUser(string username, string email, string password)
    {
        var user = TestSeed.User(username, email, "Seed Citizen");
        user["password"] = password;
        return user;
    }

    private async Task<string> ApplySeedAsync(JsonObject user)
    {
        var seed = Tests.Seed.SeedIdempotencyTests.Parse(new JsonObject { ["clients"] = new JsonArray(), ["users"] = new JsonArray(user) }.ToJsonString());
        var exception = await Assert.ThrowsAsync<SeedException>(() => Host.WithServicesAsync(services =>
            services.GetRequiredService<SeedApplier>().ApplyAsync(seed, requireHttps: false)));
        return exception.Message;
    }
}
