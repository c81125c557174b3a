using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Data;
using Microsoft.Extensions.Time.Testing;
using OnePass.TestKit;
using OpenIddict.Server;

namespace OnePass.IdentityProvider.Tests.Protocol;

public sealed class RefreshTokenTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private readonly OnePassHost _host = fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "AT-04")]
    public async Task Refresh_RotatesTheRefreshToken()
    {
        var first = await Agency.Tax.TokensAsync(_host);

        var second = await Agency.Tax.RefreshAsync(_host, first["refresh_token"]!);

        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.True(second.Response.Headers.CacheControl?.NoStore);
        Assert.NotNull(second["refresh_token"]);
        Assert.NotEqual(first["refresh_token"], second["refresh_token"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-04")]
    public async Task Refresh_WithUsedRefreshToken_ReturnsInvalidGrant()
    {
        var first = await Agency.Tax.TokensAsync(_host);
        await Agency.Tax.RefreshAsync(_host, first["refresh_token"]!);

        var replay = await Agency.Tax.RefreshAsync(_host, first["refresh_token"]!);

        Assert.Equal(HttpStatusCode.BadRequest, replay.Status);
        Assert.Equal("invalid_grant", replay.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-04")]
    public async Task Refresh_WithUsedRefreshToken_RevokesItsSuccessors()
    {
        var first = await Agency.Tax.TokensAsync(_host);
        var second = await Agency.Tax.RefreshAsync(_host, first["refresh_token"]!);
        await Agency.Tax.RefreshAsync(_host, first["refresh_token"]!);
        var tokens = new TokenClient(_host.CreateProtocolClient());

        var successor = await Agency.Tax.RefreshAsync(_host, second["refresh_token"]!);
        var userInfo = await tokens.UserInfoAsync(second["access_token"]!);

        Assert.Equal("invalid_grant", successor.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, userInfo.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-07")]
    public async Task Refresh_AfterTheUserWasDisabled_ReturnsInvalidGrant()
    {
        const string username = "to-be-disabled";
        using var host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureSeed = seed => seed["users"]!.AsArray().Add(TestSeed.User(username, "disabled@example.test", "Disabled Citizen")),
        });
        var tokens = await Agency.Tax.TokensAsync(host, username);
        await host.WithServicesAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<OnePassUser>>();
            var user = await users.FindByNameAsync(username);
            Assert.True((await users.SetLockoutEndDateAsync(user!, DateTimeOffset.MaxValue)).Succeeded);
        });

        var refreshed = await Agency.Tax.RefreshAsync(host, tokens["refresh_token"]!);

        Assert.Equal(HttpStatusCode.BadRequest, refreshed.Status);
        Assert.Equal("invalid_grant", refreshed.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-06")]
    public async Task Refresh_SameTokenTenTimesInParallel_SucceedsOnce_AndRefusesTheRestWithInvalidGrant()
    {
        var first = await Agency.Tax.TokensAsync(_host);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Agency.Tax.RefreshAsync(_host, first["refresh_token"]!)));

        Assert.All(responses, response => Assert.True((int)response.Status < 500, $"{response.Status}: {response.Body}"));
        Assert.True(responses.Count(response => response.Status == HttpStatusCode.OK) == 1,
            string.Join('\n', responses.Select(response => $"{response.Status} {response.Body[..Math.Min(200, response.Body.Length)]}")));
        Assert.All(responses.Where(response => response.Status != HttpStatusCode.OK), response =>
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.Status);
            Assert.Equal("invalid_grant", response.Error);
        });
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-11")]
    public async Task Refresh_WithRefreshTokenOfAnotherClient_ReturnsInvalidGrant()
    {
        var tax = await Agency.Tax.TokensAsync(_host);

        var response = await Agency.Health.RefreshAsync(_host, tax["refresh_token"]!);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_grant", response.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-TK-12")]
    public async Task Refresh_WithWiderScopeThanGranted_ReturnsInvalidScope()
    {
        var tokens = await Agency.Tax.TokensAsync(_host, scope: "openid profile offline_access");

        var response = await Agency.Tax.RefreshAsync(_host, tokens["refresh_token"]!, "openid profile email offline_access");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.True(response.Error == "invalid_scope", response.Body);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-08")]
    public async Task Refresh_PastTheAbsoluteLifetime_ReturnsInvalidGrant_EvenAfterRotation()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureServices = services => services.Configure<OpenIddictServerOptions>(options => options.TimeProvider = clock),
        });
        var first = await Agency.Tax.TokensAsync(host);
        clock.Advance(TimeSpan.FromDays(10));
        var second = await Agency.Tax.RefreshAsync(host, first["refresh_token"]!);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        clock.Advance(TimeSpan.FromDays(5));

        var late = await Agency.Tax.RefreshAsync(host, second["refresh_token"]!);

        Assert.Equal(HttpStatusCode.BadRequest, late.Status);
        Assert.Equal("invalid_grant", late.Error);
    }
}
