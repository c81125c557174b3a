using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Data;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi;

/// <summary>
/// CONTRACT §1: the admin API answers 401 without a valid bearer token and 403 without the admin role and
/// the onepass.admin scope; errors are JSON, never the HTML error page (CATALOGUE IN-AD-06).
/// </summary>
public sealed class AdminApiAuthorizationTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    private const string Path = "/api/admin/logout-notifications";

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task AdminApi_WithoutToken_Returns401WithBearerChallenge()
    {
        var response = await fixture.GetAsync(Path, accessToken: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Contains(response.Response.Headers.WwwAuthenticate, header => header.Scheme == "Bearer");
        Assert.DoesNotContain("<html", response.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task AdminApi_WithGarbageToken_Returns401InvalidToken()
    {
        var response = await fixture.GetAsync(Path, "not-a-token.at-all");

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        var challenge = Assert.Single(response.Response.Headers.WwwAuthenticate, header => header.Scheme == "Bearer");
        Assert.Contains("invalid_token", challenge.Parameter, StringComparison.Ordinal);
        Assert.DoesNotContain("<html", response.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task AdminApi_WithAdministratorsSignInCookieOnly_Returns401()
    {
        // A signed-in administrator's browser must not be usable from another site: cookies count for nothing here.
        using var browser = fixture.Host.CreateBrowser();
        await browser.SignInAsync(TestSeed.Admin);
        Assert.NotEmpty(browser.Cookies.GetCookies(fixture.Host.Issuer));

        var response = await browser.GetAsync(Path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task AdminApi_WithRevokedToken_Returns401()
    {
        var token = (await AdminApiHost.Tool.TokensAsync(fixture.Host, TestSeed.Admin))["access_token"]!;
        var revoked = await new TokenClient(fixture.Host.CreateProtocolClient()).RevokeAsync(AdminApiHost.ToolClient, AdminApiHost.ToolSecret, token);
        Assert.Equal(HttpStatusCode.OK, revoked.Status);

        var response = await fixture.GetAsync(Path, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task AdminApi_NonAdminWithAdminScope_Returns403()
    {
        var token = await fixture.AccessTokenAsync(TestSeed.Citizen);

        var response = await fixture.GetAsync(Path, token);

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.DoesNotContain("<html", response.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task AdminApi_AdminWithoutAdminScope_Returns403()
    {
        var token = await fixture.AccessTokenAsync(TestSeed.Admin, Agency.Tax);

        var response = await fixture.GetAsync(Path, token);

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task AdminApi_AdminWithAdminScope_Returns200Json()
    {
        var response = await fixture.GetAsAdminAsync(Path);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("application/json", response.Response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-store", response.Response.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task AdminApi_AdminRoleRemovedAfterTokenIssued_Returns403()
    {
        var token = await fixture.AccessTokenAsync(AdminApiHost.DemotedAdmin);
        Assert.Equal(HttpStatusCode.OK, (await fixture.GetAsync(Path, token)).Status);
        await ChangeUserAsync(AdminApiHost.DemotedAdmin, (users, user) => users.RemoveFromRoleAsync(user, "admin"));

        var response = await fixture.GetAsync(Path, token);

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task AdminApi_AdminDisabledAfterTokenIssued_Returns403()
    {
        var token = await fixture.AccessTokenAsync(AdminApiHost.DisabledAdmin);
        Assert.Equal(HttpStatusCode.OK, (await fixture.GetAsync(Path, token)).Status);
        await ChangeUserAsync(AdminApiHost.DisabledAdmin, (users, user) => users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue));

        var response = await fixture.GetAsync(Path, token);

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
    }

    private Task ChangeUserAsync(string username, Func<UserManager<OnePassUser>, OnePassUser, Task<IdentityResult>> change) =>
        fixture.Host.WithServicesAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<OnePassUser>>();
            var user = await users.FindByNameAsync(username) ?? throw new InvalidOperationException($"No user {username}.");
            var result = await change(users, user);
            Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(error => error.Description)));
        });
}
