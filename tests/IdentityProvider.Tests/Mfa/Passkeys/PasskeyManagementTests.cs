using System.Net;
using Microsoft.EntityFrameworkCore;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Mfa.Passkeys;

/// <summary>Several named passkeys per citizen on <c>/account/security</c>, each removable on its own (issue 4 item 2).</summary>
public sealed class PasskeyManagementTests(MfaHostFixture fixture) : IClassFixture<MfaHostFixture>
{
    private OnePassHost Host => fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-10")]
    public async Task TwoNamedPasskeys_BothListedOnTheSecurityPage()
    {
        using var browser = Host.CreateBrowser();
        await browser.SignInAsync(fixture.NewUser());
        using var laptop = await MfaSteps.RegisterPasskeyAsync(browser, "Work laptop");
        using var phone = await MfaSteps.RegisterPasskeyAsync(browser, "Phone");

        var page = await browser.NavigateAsync("/account/security");

        var names = page.Document.QuerySelectorAll(".passkey-item .passkey-name").Select(element => element.TextContent.Trim()).ToList();
        Assert.Equal(["Work laptop", "Phone"], names);
        var ids = page.Document.QuerySelectorAll(".passkey-item").Select(element => element.GetAttribute("data-passkey-id")).ToList();
        Assert.Equal(2, ids.Distinct().Count());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-10")]
    public async Task RemoveOneOfTwoPasskeys_OnlyThatOneGoes_AndTheOtherStillSignsIn()
    {
        using var browser = Host.CreateBrowser();
        await browser.SignInAsync(fixture.NewUser());
        using var laptop = await MfaSteps.RegisterPasskeyAsync(browser, "Work laptop");
        using var phone = await MfaSteps.RegisterPasskeyAsync(browser, "Phone");
        var laptopId = await IdOfAsync(laptop);
        var page = await browser.NavigateAsync("/account/security");

        var after = await browser.SubmitAsync(page, new Dictionary<string, string>(), "remove", laptopId.ToString(),
            which: form => form.GetAttribute("action") == $"/account/passkeys/{laptopId}/remove");

        Assert.Equal("/account/security", after.Uri.AbsolutePath);
        Assert.Equal(["Phone"], after.Document.QuerySelectorAll(".passkey-item .passkey-name").Select(element => element.TextContent.Trim()));
        Assert.False(await Host.WithDatabaseAsync(db => db.Passkeys.AnyAsync(p => p.Id == laptopId)));
        using var other = Host.CreateBrowser();
        Assert.Equal(HttpStatusCode.OK, (await MfaSteps.PasskeySignInAsync(other, phone)).Status);
        using var third = Host.CreateBrowser();
        Assert.Equal(HttpStatusCode.BadRequest, (await MfaSteps.PasskeySignInAsync(third, laptop)).Status);
    }

    private Task<Guid> IdOfAsync(SoftwareAuthenticator authenticator) =>
        Host.WithDatabaseAsync(db => db.Passkeys.Where(p => p.CredentialId == authenticator.CredentialId).Select(p => p.Id).SingleAsync());
}
