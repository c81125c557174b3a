using System.Net;
using OnePass.TestKit;
using static OnePass.IdentityProvider.Tests.Account.Registration.AccountMail;

namespace OnePass.IdentityProvider.Tests.Account.Registration;

/// <summary>Bad input on the registration and recovery forms: the form again with messages linked to the fields, never a 5xx, nothing stored.</summary>
public sealed class RegistrationBadInputTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private static readonly string Huge = new('a', 10 * 1024);

    private OnePassHost Host => fixture.Host;

    public static TheoryData<string, string, string, string, string> BadRegistrations => new()
    {
        // email, name, password, confirmation, the field whose message is expected
        { "", "Kim", StrongPassword, StrongPassword, "email" },
        { "not-an-address", "Kim", StrongPassword, StrongPassword, "email" },
        { "kim@@example.org", "Kim", StrongPassword, StrongPassword, "email" },
        { "kim o'neil@example.org", "Kim", StrongPassword, StrongPassword, "email" },
        { Huge + "@example.org", "Kim", StrongPassword, StrongPassword, "email" },
        { "kim@example.org", "", StrongPassword, StrongPassword, "name" },
        { "kim@example.org", Huge, StrongPassword, StrongPassword, "name" },
        { "kim@example.org", "Kim\u202Emiknet", StrongPassword, StrongPassword, "name" },
        { "kim@example.org", "Kim", "", "", "password" },
        { "kim@example.org", "Kim", StrongPassword, "a different confirmation", "confirmPassword" },
        { "kim@example.org", "Kim", "too short", "too short", "password" },
        { "kim@example.org", "Kim", Huge, Huge, "password" },
    };

    [Theory]
    [MemberData(nameof(BadRegistrations))]
    [Trait(Catalogue.Row, "IN-LG-04")]
    public async Task Register_BadInput_ShowsTheFormWithAMessageLinkedToTheField_AndStoresNothing(
        string email, string name, string password, string confirmation, string field)
    {
        using var browser = Host.CreateBrowser();
        var before = await Host.CountRowsAsync();

        var page = await RegisterAsync(browser, email, password, name, confirmation);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var error = page.Document.GetElementById(field + "-error");
        Assert.NotNull(error);
        Assert.Contains(field + "-error", page.Document.GetElementById(field)!.GetAttribute("aria-describedby") ?? "", StringComparison.Ordinal);
        Assert.Equal("true", page.Document.GetElementById(field)!.GetAttribute("aria-invalid"));
        Assert.Equal(before, await Host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-01")]
    public async Task Register_WithoutAntiforgeryToken_Is400_AndStoresNothing()
    {
        using var browser = Host.CreateBrowser();
        await browser.NavigateAsync("/account/register");
        var before = await Host.CountRowsAsync();

        var response = await browser.PostFormAsync("/account/register", new Dictionary<string, string>
        {
            ["email"] = NewAddress(), ["name"] = "Kim", ["password"] = StrongPassword, ["confirmPassword"] = StrongPassword,
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, await Host.CountRowsAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("nobody")]
    [InlineData("a@b")]
    [Trait(Catalogue.Row, "AT-22")]
    public async Task ForgotPassword_MalformedAddress_ShowsTheFormWithAMessage(string email)
    {
        using var browser = Host.CreateBrowser();

        var page = await ForgotPasswordAsync(browser, email);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.NotNull(page.Document.GetElementById("email-error"));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-22")]
    public async Task ForgotPassword_10KbAddress_ShowsTheFormWithAMessage()
    {
        using var browser = Host.CreateBrowser();

        var page = await ForgotPasswordAsync(browser, Huge + "@example.org");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.NotNull(page.Document.GetElementById("email-error"));
    }

    [Theory]
    [InlineData("/account/reset-password")]
    [InlineData("/account/reset-password?userId=nope&code=x")]
    [InlineData("/account/verify-email?userId=00000000-0000-0000-0000-000000000000&code=garbage")]
    [Trait(Catalogue.Row, "AT-33")]
    public async Task Links_Malformed_AnswerAPageNever5xx(string url)
    {
        using var browser = Host.CreateBrowser();
        var page = await browser.NavigateAsync(url);

        var submitted = page.Document.Forms.Length > 0
            ? await browser.SubmitAsync(page, new Dictionary<string, string> { ["password"] = Huge, ["confirmPassword"] = Huge })
            : page;

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.True((int)submitted.Status < 500, $"{submitted.Status}");
    }
}
