using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OnePass.AdminConsole.Infrastructure.Authentication;

namespace OnePass.AdminConsole.Tests.AdminApi;

/// <summary>Back-Channel Logout 1.0 at /backchannel-logout: a valid logout token ends the console sessions of its sid, once.</summary>
public sealed class BackChannelLogoutTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private const string Event = "http://schemas.openid.net/event/backchannel-logout";

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task LogoutToken_Valid_EndsTheSessionsOfItsSid()
    {
        var sid = Guid.NewGuid().ToString("N");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        using var response = await PostAsync(LogoutToken(sid));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(host.Services.GetRequiredService<ILogoutStore>().IsEnded(sid, subject: null, before));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task LogoutToken_Replayed_Answers400()
    {
        var token = LogoutToken(Guid.NewGuid().ToString("N"));
        using var first = await PostAsync(token);

        using var second = await PostAsync(token);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Contains("already been used", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("another-client", "logout+jwt", true)]
    [InlineData("onepass-admin", "JWT", true)]
    [InlineData("onepass-admin", "logout+jwt", false)]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task LogoutToken_ForAnotherAudienceOrTypeOrWithoutEvent_Answers400AndEndsNothing(string audience, string type, bool withEvent)
    {
        var sid = Guid.NewGuid().ToString("N");

        using var response = await PostAsync(LogoutToken(sid, audience, type, withEvent));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(host.Services.GetRequiredService<ILogoutStore>().IsEnded(sid, subject: null, DateTimeOffset.MinValue));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task LogoutToken_SignedByAnotherKey_Answers400()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var token = LogoutToken(Guid.NewGuid().ToString("N"), key: new RsaSecurityKey(rsa) { KeyId = "test-key" });

        using var response = await PostAsync(token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private async Task<HttpResponseMessage> PostAsync(string token)
    {
        using var client = host.Browser(role: null, acr: null);
        using var content = new FormUrlEncodedContent([new("logout_token", token)]);
        return await client.PostAsync("/backchannel-logout", content);
    }

    private string LogoutToken(string sid, string audience = "onepass-admin", string type = "logout+jwt", bool withEvent = true, SecurityKey? key = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = "admin-sub",
            ["sid"] = sid,
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (withEvent)
        {
            claims["events"] = new Dictionary<string, object> { [Event] = new Dictionary<string, object>() };
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = ConsoleHost.Issuer,
            Audience = audience,
            TokenType = type,
            IssuedAt = DateTime.UtcNow,
            NotBefore = DateTime.UtcNow.AddSeconds(-5),
            Expires = DateTime.UtcNow.AddMinutes(2),
            Claims = claims,
            SigningCredentials = new SigningCredentials(key ?? host.SigningKey, SecurityAlgorithms.RsaSha256),
        });
    }
}
