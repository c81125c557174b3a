using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Tests.AdminApi;
using OnePass.IdentityProvider.Tests.AdminApi.Agencies;
using OnePass.TestKit;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Tests.Performance;

/// <summary>
/// A client_credentials access token has no row in the token table (issue 7: one INSERT less per machine
/// token, and no table growing with every backend call); it is checked by signature and expiry. Tokens
/// issued for citizens keep their rows. Disabling the agency still ends its machine tokens at introspection,
/// and enabling it again revives none.
/// </summary>
public sealed class MachineAccessTokenTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    private OnePassHost Host => fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "LD-01")]
    public async Task ClientCredentials_IssuesTokenWithoutTokenRow_ThatIntrospectsActive()
    {
        var (clientId, secret, _) = await CreateMachineAgencyAsync("stateless");
        var client = new TokenClient(Host.CreateProtocolClient());

        var token = await client.ClientCredentialsAsync(clientId, secret);
        var introspection = await client.IntrospectAsync(clientId, secret, token["access_token"]!);

        Assert.Equal(HttpStatusCode.OK, token.Status);
        Assert.Equal(0, await TokenRowsAsync(clientId));
        Assert.Equal("true", introspection["active"]);
        Assert.Equal(clientId, introspection["client_id"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-RV-01")]
    public async Task Revoke_MachineAccessToken_AnswersUnsupportedTokenType()
    {
        var (clientId, secret, _) = await CreateMachineAgencyAsync("norevoke");
        var client = new TokenClient(Host.CreateProtocolClient());
        var token = await client.ClientCredentialsAsync(clientId, secret);

        var revocation = await client.RevokeAsync(clientId, secret, token["access_token"]!);

        Assert.Equal(HttpStatusCode.BadRequest, revocation.Status);
        Assert.Equal("unsupported_token_type", revocation.Error);
    }

    [Fact]
    public async Task CodeFlow_AccessTokenForACitizen_StillHasItsTokenRow()
    {
        var clientId = AgencyApi.UniqueClientId("citizenrow");
        var created = await AgencyApi.CreateAsync(fixture, AgencyApi.Body(clientId));
        var agency = AgencyApi.AsAgency(clientId, created.GetProperty("clientSecret").GetString());

        var tokens = await agency.TokensAsync(Host);

        Assert.NotNull(tokens["access_token"]);
        Assert.True(await TokenRowsAsync(clientId, TokenTypeIdentifiers.AccessToken) >= 1);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-07")]
    public async Task DisableThenEnable_MachineTokenIssuedBefore_IntrospectsInactive()
    {
        var (clientId, secret, version) = await CreateMachineAgencyAsync("revive-cc");
        var client = new TokenClient(Host.CreateProtocolClient());
        var before = await client.ClientCredentialsAsync(clientId, secret);
        var disabled = await AgencyApi.SetEnabledAsync(fixture, clientId, enabled: false, version);
        var enabled = await AgencyApi.SetEnabledAsync(fixture, clientId, enabled: true, disabled.Json.GetProperty("version").GetString()!);
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // iat has whole seconds: the next token is issued after the stamp
        var after = await client.ClientCredentialsAsync(clientId, secret);

        var old = await client.IntrospectAsync(clientId, secret, before["access_token"]!);
        var fresh = await client.IntrospectAsync(clientId, secret, after["access_token"]!);

        Assert.Equal(HttpStatusCode.OK, enabled.Status);
        Assert.Equal("false", old["active"]);
        Assert.Equal("true", fresh["active"]);
    }

    private async Task<(string ClientId, string Secret, string Version)> CreateMachineAgencyAsync(string prefix)
    {
        var clientId = AgencyApi.UniqueClientId(prefix);
        var body = AgencyApi.Body(clientId);
        body["grantTypes"] = new JsonArray("authorization_code", "refresh_token", "client_credentials");
        var created = await AgencyApi.CreateAsync(fixture, body);
        return (clientId, created.GetProperty("clientSecret").GetString()!, AgencyApi.Version(created));
    }

    private Task<int> TokenRowsAsync(string clientId, string? type = null) => Host.WithDatabaseAsync(db =>
        db.Set<OpenIddictEntityFrameworkCoreToken<Guid>>()
            .Where(token => token.Application!.ClientId == clientId && (type == null || token.Type == type))
            .CountAsync());
}
