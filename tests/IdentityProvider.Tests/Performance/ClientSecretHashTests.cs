using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Features.Agencies;
using OnePass.IdentityProvider.Tests.AdminApi;
using OnePass.IdentityProvider.Tests.AdminApi.AgencySecrets;
using OnePass.TestKit;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Tests.Performance;

/// <summary>
/// Client secrets are stored as a keyed fast hash (issue 7: <c>cc</c> must not pay PBKDF2 on every request):
/// <c>hmac-sha256:v1:</c> + HMAC under the server secret, the same on every node; OpenIddict's PBKDF2 hashes
/// from before still verify and are upgraded at the next correct use.
/// </summary>
public sealed class ClientSecretHashTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    private const string Secret = "perf-secret-0123456789-0123456789-abcdefgh";

    private OnePassHost Host => fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "LD-01")]
    [Trait(Catalogue.Row, "IN-TK-02")]
    public async Task ClientCredentials_WithNewSecret_IssuesToken()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "hash-new", Secret);

        var response = await TestAgencies.ClientCredentialsAsync(Host, clientId, Secret);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.NotNull(response["access_token"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task CreateAgency_WithSecret_StoresKeyedHashNeverTheSecret()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "hash-stored", Secret);

        var stored = await StoredSecretAsync(Host, clientId);

        Assert.StartsWith(OnePassApplicationManager.KeyedHashPrefix, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, stored, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task Seed_WithClientSecret_StoresKeyedHash()
    {
        var stored = await StoredSecretAsync(Host, TestSeed.MachineClient);

        Assert.StartsWith(OnePassApplicationManager.KeyedHashPrefix, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(TestSeed.MachineSecret, stored, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-02")]
    public async Task ClientCredentials_WithWrongSecret_Answers401InvalidClient()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "hash-wrong", Secret);

        var response = await TestAgencies.ClientCredentialsAsync(Host, clientId, Secret[..^1] + "X");

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("invalid_client", response.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task ClientCredentials_AfterRotation_NewAndPreviousSecretWork()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "hash-rotated", Secret);
        var rotation = await fixture.SendAsAdminAsync(HttpMethod.Post, $"/api/admin/agencies/{clientId}/secret",
            new JsonObject { ["version"] = await TestAgencies.VersionAsync(Host, clientId), ["overlapHours"] = 1 });
        Assert.Equal(HttpStatusCode.OK, rotation.Status);

        var current = await TestAgencies.ClientCredentialsAsync(Host, clientId, rotation["clientSecret"]!);
        var previous = await TestAgencies.ClientCredentialsAsync(Host, clientId, Secret);

        Assert.Equal(HttpStatusCode.OK, current.Status);
        Assert.Equal(HttpStatusCode.OK, previous.Status);
        Assert.StartsWith(OnePassApplicationManager.KeyedHashPrefix, await StoredSecretAsync(Host, clientId), StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-02")]
    public async Task ClientCredentials_WithLegacyPbkdf2Hash_IssuesTokenAndUpgradesTheHash()
    {
        var clientId = await CreateWithOpenIddictHashAsync(Host, "hash-legacy", Secret);
        var before = await StoredSecretAsync(Host, clientId);

        var response = await TestAgencies.ClientCredentialsAsync(Host, clientId, Secret);
        var after = await StoredSecretAsync(Host, clientId);

        Assert.False(OnePassApplicationManager.IsKeyedHash(before));
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.StartsWith(OnePassApplicationManager.KeyedHashPrefix, after, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await TestAgencies.ClientCredentialsAsync(Host, clientId, Secret)).Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-02")]
    public async Task ClientCredentials_WithLegacyPbkdf2HashAndWrongSecret_RefusedAndHashKept()
    {
        var clientId = await CreateWithOpenIddictHashAsync(Host, "hash-legacy-wrong", Secret);
        var before = await StoredSecretAsync(Host, clientId);

        var response = await TestAgencies.ClientCredentialsAsync(Host, clientId, Secret[..^1] + "X");

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("invalid_client", response.Error);
        Assert.Equal(before, await StoredSecretAsync(Host, clientId));
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-01")]
    public async Task ClientCredentials_OnSecondNodeSharingTheDatabase_ValidatesTheSameSecret()
    {
        using var first = new OnePassHost();
        var clientId = await TestAgencies.CreateMachineAsync(first, "hash-cluster", Secret);
        using var second = new OnePassHost(new OnePassHostOptions
        {
            Settings = { ["ConnectionStrings:Database"] = first.DatabaseConnectionString },
        });

        var response = await TestAgencies.ClientCredentialsAsync(second, clientId, Secret);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(HttpStatusCode.OK, (await TestAgencies.ClientCredentialsAsync(second, TestSeed.MachineClient, TestSeed.MachineSecret)).Status);
    }

    private static Task<string> StoredSecretAsync(OnePassHost host, string clientId) => host.WithDatabaseAsync(async db =>
        (await db.Set<OpenIddictEntityFrameworkCoreApplication<Guid>>().AsNoTracking().SingleAsync(a => a.ClientId == clientId)).ClientSecret!);

    // OpenIddict's own manager, not OnePass's: the secret is stored in OpenIddict's PBKDF2 format, as before issue 7.
    private static async Task<string> CreateWithOpenIddictHashAsync(OnePassHost host, string prefix, string secret)
    {
        var clientId = AdminApiHost.UniqueClientId(prefix);
        await host.WithServicesAsync(async services =>
        {
            var manager = new OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication<Guid>>(
                services.GetRequiredService<IOpenIddictApplicationCache<OpenIddictEntityFrameworkCoreApplication<Guid>>>(),
                services.GetRequiredService<ILogger<OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication<Guid>>>>(),
                services.GetRequiredService<IOptionsMonitor<OpenIddictCoreOptions>>(),
                services.GetRequiredService<IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication<Guid>>>());
            await manager.CreateAsync(new OpenIddictApplicationDescriptor
            {
                ClientId = clientId,
                ClientSecret = secret,
                ClientType = ClientTypes.Confidential,
                DisplayName = "Legacy machine " + prefix,
                Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
            });
        });
        return clientId;
    }
}
