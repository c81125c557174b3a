using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Tests.AdminApi;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Sessions;

/// <summary>
/// Refresh tokens and sessions (issue 3 item 4): an <c>offline_access</c> refresh token survives sign-out
/// but not an administrator disabling the user through the admin API.
/// </summary>
public sealed class OfflineAccessAdminDisableTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    [Fact]
    [Trait(Catalogue.Row, "AT-07")]
    public async Task Refresh_WithOfflineAccess_IsRefusedAfterAnAdministratorDisablesTheUser()
    {
        var tokens = await Agency.Tax.TokensAsync(fixture.Host, TestSeed.OtherCitizen, "openid profile offline_access");
        var before = await Agency.Tax.RefreshAsync(fixture.Host, tokens["refresh_token"]!);
        Guid userId = default;
        await fixture.Host.WithServicesAsync(async services =>
            userId = (await services.GetRequiredService<UserManager<OnePassUser>>().FindByNameAsync(TestSeed.OtherCitizen))!.Id);
        var user = await fixture.GetAsAdminAsync($"/api/admin/users/{userId}");
        Assert.True(user.Status == HttpStatusCode.OK, user.Body);

        var disabled = await fixture.SendAsAdminAsync(HttpMethod.Post, $"/api/admin/users/{userId}/disable",
            new JsonObject { ["version"] = user.Json.GetProperty("version").GetString() });
        var after = await Agency.Tax.RefreshAsync(fixture.Host, before["refresh_token"]!);

        Assert.Equal(HttpStatusCode.OK, before.Status);
        Assert.True(disabled.Status == HttpStatusCode.OK, disabled.Body);
        Assert.Equal(HttpStatusCode.BadRequest, after.Status);
        Assert.Equal("invalid_grant", after.Error);
    }
}
