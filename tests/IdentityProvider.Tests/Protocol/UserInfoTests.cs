using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Data;
using OnePass.TestKit;
using OpenIddict.Abstractions;

namespace OnePass.IdentityProvider.Tests.Protocol;

/// <summary>A host with citizens that tests may delete or disable without disturbing the others.</summary>
public sealed class UserInfoHostFixture : IDisposable
{
    public const string ToDelete = "citizen-to-delete";
    public const string ToDisable = "citizen-to-disable";

    public OnePassHost Host { get; } = new(new OnePassHostOptions
    {
        ConfigureSeed = seed =>
        {
            var users = (JsonArray)seed["users"]!;
            users.Add(TestSeed.User(ToDelete, "delete@example.test", "Dee Leted"));
            users.Add(TestSeed.User(ToDisable, "disable@example.test", "Dis Abled"));
        },
    });

    public void Dispose() => Host.Dispose();
}

public sealed class UserInfoTests(UserInfoHostFixture fixture) : IClassFixture<UserInfoHostFixture>
{
    private readonly OnePassHost _host = fixture.Host;

    [Theory]
    [Trait(Catalogue.Row, "IN-UI-01")]
    [InlineData(null)]
    [InlineData("not-a-token")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")]
    public async Task UserInfo_WithMissingOrMalformedToken_Returns401InvalidToken(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _host.CreateProtocolClient().SendAsync(request);

        AssertInvalidToken(response, requireErrorCode: token is not null);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-UI-01")]
    public async Task UserInfo_WithIdTokenAsAccessToken_Returns401InvalidToken()
    {
        var tokens = await Agency.Health.TokensAsync(_host);

        using var response = await GetAsync(tokens["id_token"]!);

        AssertInvalidToken(response);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-UI-01")]
    public async Task UserInfo_WithRevokedAccessToken_Returns401InvalidToken()
    {
        var tokens = await Agency.Health.TokensAsync(_host);
        await new TokenClient(_host.CreateProtocolClient()).RevokeAsync(TestSeed.HealthClient, TestSeed.HealthSecret, tokens["access_token"]!);

        using var response = await GetAsync(tokens["access_token"]!);

        AssertInvalidToken(response);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-UI-01")]
    public async Task UserInfo_WithClientCredentialsAccessToken_Returns401InvalidToken()
    {
        var machine = await new TokenClient(_host.CreateProtocolClient()).ClientCredentialsAsync(TestSeed.MachineClient, TestSeed.MachineSecret, "profile");

        using var response = await GetAsync(machine["access_token"]!);

        AssertInvalidToken(response);
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-UI-02")]
    [InlineData("GET header")]
    [InlineData("POST header")]
    [InlineData("POST body")]
    public async Task UserInfo_AcceptsTheTokenInEachStandardWay(string how)
    {
        var tokens = await Agency.Health.TokensAsync(_host);
        var accessToken = tokens["access_token"]!;
        using var request = new HttpRequestMessage(how.StartsWith("GET", StringComparison.Ordinal) ? HttpMethod.Get : HttpMethod.Post, "/connect/userinfo");
        if (how.EndsWith("header", StringComparison.Ordinal))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }
        else
        {
            request.Content = new FormUrlEncodedContent([new("access_token", accessToken)]);
        }

        using var response = await _host.CreateProtocolClient().SendAsync(request);
        var body = await ProtocolResponse.ReadAsync(response);

        Assert.True(response.StatusCode == HttpStatusCode.OK, body.Body);
        Assert.Equal(Tokens.Read(tokens["id_token"]!).Subject, body["sub"]);
        Assert.Equal("c1@example.test", body["email"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-UI-03")]
    public async Task UserInfo_AfterTheUserWasDeleted_Returns401()
    {
        var tokens = await Agency.Health.TokensAsync(_host, UserInfoHostFixture.ToDelete);
        await _host.WithServicesAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<OnePassUser>>();
            var user = await users.FindByNameAsync(UserInfoHostFixture.ToDelete);
            Assert.True((await users.DeleteAsync(user!)).Succeeded);
        });

        using var response = await GetAsync(tokens["access_token"]!);

        AssertInvalidToken(response);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-UI-03")]
    public async Task UserInfo_AfterTheUserWasDisabled_Returns401()
    {
        var tokens = await Agency.Health.TokensAsync(_host, UserInfoHostFixture.ToDisable);
        await _host.WithServicesAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<OnePassUser>>();
            var user = await users.FindByNameAsync(UserInfoHostFixture.ToDisable);
            user!.LockoutEnd = DateTimeOffset.MaxValue;
            Assert.True((await users.UpdateAsync(user)).Succeeded);
        });

        using var response = await GetAsync(tokens["access_token"]!);

        AssertInvalidToken(response);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-UI-01")]
    public async Task UserInfo_AfterItsAuthorizationWasRevoked_Returns401()
    {
        // GHSA-cxgj-hwwh-855g: a token whose authorization is revoked must be refused.
        var tokens = await Agency.Health.TokensAsync(_host, TestSeed.OtherCitizen);
        await RevokeAuthorizationsAsync(_host, TestSeed.OtherCitizen, TestSeed.HealthClient);

        using var response = await GetAsync(tokens["access_token"]!);

        AssertInvalidToken(response);
    }

    /// <summary>Revokes every authorization of a citizen for an agency, as "withdraw consent" would.</summary>
    internal static Task RevokeAuthorizationsAsync(OnePassHost host, string username, string clientId) => host.WithServicesAsync(async services =>
    {
        var users = services.GetRequiredService<UserManager<OnePassUser>>();
        var applications = services.GetRequiredService<IOpenIddictApplicationManager>();
        var authorizations = services.GetRequiredService<IOpenIddictAuthorizationManager>();
        var user = await users.FindByNameAsync(username);
        var application = await applications.FindByClientIdAsync(clientId);
        var applicationId = await applications.GetIdAsync(application!);
        var revoked = 0;
        await foreach (var authorization in authorizations.FindAsync(user!.Id.ToString(), applicationId, status: null, type: null, scopes: null))
        {
            revoked += await authorizations.TryRevokeAsync(authorization) ? 1 : 0;
        }

        Assert.True(revoked > 0, "No authorization to revoke.");
    });

    private async Task<HttpResponseMessage> GetAsync(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await _host.CreateProtocolClient().SendAsync(request);
    }

    private static void AssertInvalidToken(HttpResponseMessage response, bool requireErrorCode = true)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        if (requireErrorCode)
        {
            Assert.Contains("error=\"invalid_token\"", challenge.Parameter ?? string.Empty, StringComparison.Ordinal);
        }
    }
}
