using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Mfa.Passkeys;

/// <summary>Removing a passkey needs a recent sign-in (within 5 minutes), on a host with a fake clock.</summary>
public sealed class PasskeyRemovalRecencyTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly OnePassHost _host;

    public PasskeyRemovalRecencyTests()
    {
        _host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureServices = services => services.AddSingleton<TimeProvider>(_clock),
        });
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-10")]
    public async Task Remove_SignInOlderThanFiveMinutes_ForbiddenAndKept()
    {
        using var authenticator = new SoftwareAuthenticator();
        using var browser = _host.CreateBrowser();
        await browser.SignInAsync(TestSeed.Citizen);
        var options = await PasskeyCalls.PostAsync(browser, "register/options", new JsonObject { ["name"] = "old" });
        Assert.Equal(HttpStatusCode.Created, (await PasskeyCalls.PostAsync(browser, "register", authenticator.Register(options.Json, PasskeyHostFixture.Origin))).Status);
        var id = await _host.WithDatabaseAsync(db => db.Passkeys.Select(p => p.Id).SingleAsync());
        _clock.Advance(TimeSpan.FromMinutes(6));

        var answer = await PasskeyCalls.DeleteAsync(browser, id);

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Equal("login_required", answer.Error);
        Assert.True(await _host.WithDatabaseAsync(db => db.Passkeys.AnyAsync(p => p.Id == id)));
    }

    public void Dispose() => _host.Dispose();
}
