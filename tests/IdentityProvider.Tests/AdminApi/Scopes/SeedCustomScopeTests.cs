using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Features.Seed;
using OnePass.IdentityProvider.Tests.Seed;
using OnePass.TestKit;
using OpenIddict.Abstractions;

namespace OnePass.IdentityProvider.Tests.AdminApi.CustomScopes;

/// <summary>
/// CONTRACT §3: a seeded client may list the built-in scopes, <c>onepass.admin</c> and custom scopes that
/// exist in the database; any other scope refuses the whole file with a message naming the entry.
/// </summary>
public sealed class SeedCustomScopeTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    private const string Secret = "a-new-agency-secret-0123456789-0123456789";

    [Fact]
    public async Task ApplySeed_WithClientListingStoredCustomScope_LetsTheClientAskForIt()
    {
        var scope = ScopeApi.UniqueName("seeded");
        await ScopeApi.CreateAsync(fixture, scope, "See your tax reference", "email");

        await ApplyAsync(Client("agency-seeded-custom", "openid", scope));

        Assert.True(await HasPermissionAsync("agency-seeded-custom", scope));
    }

    [Fact]
    public async Task ApplySeed_WithClientListingAdminScope_LetsTheClientAskForIt()
    {
        await ApplyAsync(Client("agency-seeded-admin", "openid", "profile", "onepass.admin"));

        Assert.True(await HasPermissionAsync("agency-seeded-admin", "onepass.admin"));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task ApplySeed_WithClientListingUnknownScope_ThrowsNamingTheClientAndTheScopeAndChangesNothing()
    {
        await fixture.AccessTokenAsync(TestSeed.Admin);
        var counts = await fixture.Host.CountRowsAsync();

        var exception = await Assert.ThrowsAsync<SeedException>(() => ApplyAsync(Client("agency-seeded-unknown", "openid", "tax.number")));

        Assert.Contains("clients[0] (agency-seeded-unknown)", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'tax.number'", exception.Message, StringComparison.Ordinal);
        Assert.Equal(counts, await fixture.Host.CountRowsAsync());
    }

    private Task ApplyAsync(JsonObject client) => fixture.Host.WithServicesAsync(services =>
        services.GetRequiredService<SeedApplier>().ApplyAsync(
            SeedIdempotencyTests.Parse(new JsonObject { ["clients"] = new JsonArray(client), ["users"] = new JsonArray() }.ToJsonString()),
            requireHttps: false));

    private async Task<bool> HasPermissionAsync(string clientId, string scope)
    {
        var permitted = false;
        await fixture.Host.WithServicesAsync(async services =>
        {
            var applications = services.GetRequiredService<IOpenIddictApplicationManager>();
            var application = await applications.FindByClientIdAsync(clientId);
            permitted = application is not null &&
                await applications.HasPermissionAsync(application, OpenIddictConstants.Permissions.Prefixes.Scope + scope);
        });
        return permitted;
    }

    private static JsonObject Client(string clientId, params string[] scopes) =>
        TestSeed.Client(clientId, Secret, "Seeded Agency", ["http://127.0.0.1:7011/signin-oidc"], [], "explicit",
            ["authorization_code", "refresh_token"], scopes);
}
