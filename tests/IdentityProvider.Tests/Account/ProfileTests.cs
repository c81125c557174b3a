using System.Net;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Features.Site;
using OnePass.TestKit;
using static OnePass.IdentityProvider.Tests.Account.Registration.AccountMail;

namespace OnePass.IdentityProvider.Tests.Account;

/// <summary>
/// The profile at /account/profile (issue 6 item 3): the citizen's own name, username and address, the name
/// changed with the rules of registration; nothing in the request can name another account.
/// </summary>
public sealed class ProfileTests(AccountPortalHostFixture fixture) : IClassFixture<AccountPortalHostFixture>
{
    private const string PagePath = "/account/profile";

    private OnePassHost Host => fixture.Host;

    [Fact]
    public async Task Get_NotSignedIn_RedirectsToLogin()
    {
        using var browser = Host.CreateBrowser();

        var response = await browser.GetAsync(PagePath);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/login", new Uri(Host.Issuer, response.Headers.Location!).AbsolutePath);
    }

    [Fact]
    public async Task Get_SelfRegisteredCitizen_ShowsNameUsernameConfirmedAddressAndChangeLinks()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;

        var page = await browser.NavigateAsync(PagePath);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var document = page.Document;
        Assert.Equal("Kim Citizen", document.GetElementById("name")!.GetAttribute("value"));
        Assert.Equal(email, document.GetElementById("profile-username")!.TextContent.Trim());
        Assert.Equal(email, document.GetElementById("profile-email")!.TextContent.Trim());
        Assert.Contains(Texts.Get("profile.email.verified"), document.GetElementById("profile-email-status")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("/account/password", document.GetElementById("profile-change-password")!.GetAttribute("href"));
        Assert.Equal("/account/email", document.GetElementById("profile-change-email")!.GetAttribute("href"));
    }

    [Fact]
    public async Task Get_SeededCitizen_ShowsTheirOwnUsernameApartFromTheAddress()
    {
        using var browser = Host.CreateBrowser();
        await browser.SignInAsync(AccountPortalHostFixture.SeededCitizen);

        var page = await browser.NavigateAsync(PagePath);

        Assert.Equal(AccountPortalHostFixture.SeededCitizen, page.Document.GetElementById("profile-username")!.TextContent.Trim());
        Assert.Equal($"{AccountPortalHostFixture.SeededCitizen}@example.test", page.Document.GetElementById("profile-email")!.TextContent.Trim());
    }

    [Fact]
    public async Task Post_ValidName_IsSavedAndShown()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var form = await browser.NavigateAsync(PagePath);

        var page = await browser.SubmitAsync(form, new Dictionary<string, string> { ["name"] = "  Kim Ji-woo 김지우  " });

        Assert.NotNull(page.Document.GetElementById("profile-saved"));
        Assert.Equal("Kim Ji-woo 김지우", page.Document.GetElementById("name")!.GetAttribute("value"));
        Assert.Equal("Kim Ji-woo 김지우", await DisplayNameAsync(email));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Kim\u202Eevil")]
    [InlineData("Kim\nCitizen")]
    public async Task Post_InvalidName_Returns400WithTheErrorUnderTheField_AndKeepsTheName(string name)
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var form = await browser.NavigateAsync(PagePath);

        var page = await browser.SubmitAsync(form, new Dictionary<string, string> { ["name"] = name });

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.NotNull(page.Document.GetElementById("name-error"));
        Assert.Contains("name-error", page.Document.GetElementById("name")!.GetAttribute("aria-describedby"), StringComparison.Ordinal);
        Assert.Equal("Kim Citizen", await DisplayNameAsync(email));
    }

    [Fact]
    public async Task Post_NameTooLong_Returns400AndKeepsTheName()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var form = await browser.NavigateAsync(PagePath);

        var page = await browser.SubmitAsync(form, new Dictionary<string, string> { ["name"] = new string('a', 201) });

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal("Kim Citizen", await DisplayNameAsync(email));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-01")]
    public async Task Post_WithoutAntiforgeryToken_Returns400_AndKeepsTheName()
    {
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;

        var response = await browser.PostFormAsync(PagePath, [new("name", "Changed By Forgery")]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Kim Citizen", await DisplayNameAsync(email));
    }

    [Fact]
    public async Task Post_WithAnotherCitizensIdInTheForm_ChangesOnlyTheSignedInCitizen()
    {
        var victim = NewAddress("victim");
        await RegisterAndVerifyAsync(Host, victim);
        var victimId = await Host.WithDatabaseAsync(db => db.Users.Where(user => user.Email == victim).Select(user => user.Id).SingleAsync());
        var (browser, email) = await SignedInCitizenAsync();
        using var _ = browser;
        var form = await browser.NavigateAsync(PagePath + "?userId=" + victimId);

        await browser.SubmitAsync(form, new Dictionary<string, string>
        {
            ["name"] = "Renamed Self",
            ["userId"] = victimId.ToString(),
            ["Id"] = victimId.ToString(),
            ["sub"] = victimId.ToString(),
        });

        Assert.Equal("Renamed Self", await DisplayNameAsync(email));
        Assert.Equal("Kim Citizen", await DisplayNameAsync(victim));
        Assert.DoesNotContain(victim, form.Html, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<(BrowserClient Browser, string Email)> SignedInCitizenAsync()
    {
        var email = NewAddress("profile");
        await RegisterAndVerifyAsync(Host, email);
        var browser = Host.CreateBrowser();
        await browser.SignInAsync(email, StrongPassword);
        return (browser, email);
    }

    private Task<string?> DisplayNameAsync(string email) =>
        Host.WithDatabaseAsync(db => db.Users.Where(user => user.Email == email).Select(user => user.DisplayName).SingleAsync());
}
