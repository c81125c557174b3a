using System.Net;
using System.Text.Json;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Sessions;

/// <summary>A session that times out ends like a sign-out: its agencies get their back-channel logout (issue 3).</summary>
public sealed class SessionExpiryTests : IAsyncLifetime
{
    private SingleLogoutHost _sso = null!;

    public async Task InitializeAsync() => _sso = await SingleLogoutHost.StartAsync(settings: new()
    {
        ["OnePass:Sessions:IdleTimeout"] = "00:00:02",
        ["OnePass:Sessions:TouchInterval"] = "00:00:00.5",
        ["OnePass:Sessions:SweepInterval"] = "00:00:00.2",
    });

    public async Task DisposeAsync() => await _sso.DisposeAsync();

    [Fact]
    [Trait(Catalogue.Row, "AT-30")]
    public async Task IdleSession_IsEndedBySweeper_AndItsAgencyToldWithoutAnyBrowser()
    {
        using var browser = _sso.Host.CreateBrowser();
        var idToken = Tokens.Read((await _sso.SignInThroughAsync(browser, Agency.Tax))["id_token"]!);

        // Nobody comes back: only the sweeper can notice the idle timeout.
        var token = Tokens.Read((await _sso.Receiver.WaitForAsync("tax", timeout: TimeSpan.FromSeconds(10))).Single());

        Assert.Equal(idToken.GetClaim("sid").Value, token.GetClaim("sid").Value);
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Extra = new() { ["prompt"] = "none" } };
        Assert.Equal("login_required", (await browser.AuthorizeAsync(request)).Error);
    }

    [Fact]
    public async Task ActiveSession_OutlivesTheIdleTimeout()
    {
        using var browser = _sso.Host.CreateBrowser();
        await _sso.SignInThroughAsync(browser, Agency.Tax);

        // Used every 0.7 s for 4 s (twice the idle timeout): still alive, and nobody was told anything.
        for (var i = 0; i < 6; i++)
        {
            await Task.Delay(700);
            var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Extra = new() { ["prompt"] = "none" } };
            Assert.NotNull((await browser.AuthorizeAsync(request)).Code);
        }

        Assert.Empty(_sso.Receiver.Received("tax"));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-DS-01")]
    public async Task Discovery_AdvertisesBackAndFrontChannelLogoutWithSessions()
    {
        var response = await _sso.Host.CreateProtocolClient().GetAsync("/.well-known/openid-configuration");
        var metadata = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var name in new[] { "backchannel_logout_supported", "backchannel_logout_session_supported", "frontchannel_logout_supported", "frontchannel_logout_session_supported" })
        {
            Assert.True(metadata.GetProperty(name).GetBoolean(), name);
        }
    }
}
