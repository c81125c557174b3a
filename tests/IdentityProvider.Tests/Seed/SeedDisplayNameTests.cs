using Microsoft.EntityFrameworkCore;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Seed;

/// <summary>An agency's display name is free text: stored as given, shown HTML-encoded (CONTRACT §3, CATALOGUE IN-AD-02).</summary>
public sealed class SeedDisplayNameTests : IDisposable
{
    private const string ClientId = "agency-markup";
    private const string RedirectUri = "http://127.0.0.1:7011/signin-oidc";
    private const string DisplayName = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";

    private readonly OnePassHost _host = new(new OnePassHostOptions
    {
        ConfigureSeed = seed => seed["clients"]!.AsArray().Add(TestSeed.Client(ClientId, "markup-secret-0123456789-0123456789-abc",
            DisplayName, [RedirectUri], [], "explicit", ["authorization_code"], ["openid", "profile"])),
    });

    public void Dispose() => _host.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-02")]
    public async Task ApplySeed_WithMarkupInDisplayName_StoresItAsText()
    {
        var stored = await _host.WithDatabaseAsync(db => db.Database
            .SqlQuery<string>($"SELECT \"DisplayName\" AS \"Value\" FROM \"OpenIddictApplications\" WHERE \"ClientId\" = {ClientId}")
            .SingleAsync());

        Assert.Equal(DisplayName, stored);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-02")]
    [Trait(Catalogue.Row, "AT-24")]
    public async Task ConsentPage_WithMarkupInDisplayName_ShowsItEncoded()
    {
        using var browser = _host.CreateBrowser();
        var request = new AuthorizationRequest(ClientId, RedirectUri) { Scope = "openid profile" };
        var login = await browser.NavigateAsync(request.ToUrl());

        var consent = await browser.SubmitAsync(login, new Dictionary<string, string>
        {
            ["username"] = TestSeed.Citizen,
            ["password"] = TestSeed.Password,
        });

        Assert.True(consent.IsConsentPage, consent.Html);
        Assert.DoesNotContain("<script>alert(1)", consent.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", consent.Html, StringComparison.Ordinal);
        Assert.Contains(DisplayName, consent.Document.QuerySelector("#agency-name")!.TextContent, StringComparison.Ordinal);
    }
}
