using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.TestKit;
using OtpNet;

namespace OnePass.IdentityProvider.Tests.Mfa;

/// <summary>The window, replay and lock rules of <see cref="TotpAuthenticator"/>, on a fake clock.</summary>
public sealed class TotpRulesTests : IDisposable
{
    // The middle of a 30 s step, so ±1 step is unambiguous.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds((DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30 * 30) + 15));
    private readonly byte[] _secret = TotpAuthenticator.NewSecret();
    private readonly OnePassHost _host;

    public TotpRulesTests()
    {
        _host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureServices = services => services.AddSingleton<TimeProvider>(_time),
        });
    }

    public void Dispose() => _host.Dispose();

    private string CodeAt(int steps) => new Totp(_secret).ComputeTotp(_time.GetUtcNow().AddSeconds(30 * steps).UtcDateTime);

    /// <summary>Runs the checks for citizen1 with a freshly enrolled secret.</summary>
    private async Task WithAuthenticatorAsync(Func<TotpAuthenticator, Guid, Task> test) => await _host.WithServicesAsync(async services =>
    {
        var user = await services.GetRequiredService<UserManager<OnePassUser>>().FindByNameAsync(TestSeed.Citizen);
        var totp = services.GetRequiredService<TotpAuthenticator>();
        await totp.EnrolConfirmedAsync(user!.Id, _secret);
        await test(totp, user.Id);
    });

    [Theory]
    [Trait(Catalogue.Row, "IN-LG-08")]
    [InlineData(-1, TotpResult.Accepted)]
    [InlineData(0, TotpResult.Accepted)]
    [InlineData(1, TotpResult.Accepted)]
    [InlineData(-2, TotpResult.Invalid)]
    [InlineData(2, TotpResult.Invalid)]
    public async Task Code_FromStepsAway_IsJudgedWithinOneStep(int steps, TotpResult expected) =>
        await WithAuthenticatorAsync(async (totp, userId) => Assert.Equal(expected, await totp.VerifyAsync(userId, CodeAt(steps))));

    [Fact]
    [Trait(Catalogue.Row, "IN-LG-07")]
    public async Task Code_AfterANewerOneWasAccepted_IsRefusedAsReplay() => await WithAuthenticatorAsync(async (totp, userId) =>
    {
        Assert.Equal(TotpResult.Accepted, await totp.VerifyAsync(userId, CodeAt(0)));
        Assert.Equal(TotpResult.Replayed, await totp.VerifyAsync(userId, CodeAt(0)));
        Assert.Equal(TotpResult.Replayed, await totp.VerifyAsync(userId, CodeAt(-1))); // older than the accepted one
        Assert.Equal(TotpResult.Accepted, await totp.VerifyAsync(userId, CodeAt(1)));
    });

    [Fact]
    [Trait(Catalogue.Row, "AT-20")]
    public async Task TenWrongCodes_LockCodesForFifteenMinutes_ThenTheRightCodeWorks() => await WithAuthenticatorAsync(async (totp, userId) =>
    {
        for (var i = 0; i < TotpAuthenticator.MaxConsecutiveFailures; i++)
        {
            Assert.Equal(TotpResult.Invalid, await totp.VerifyAsync(userId, "000000" == CodeAt(0) ? "111111" : "000000"));
        }

        Assert.Equal(TotpResult.Locked, await totp.VerifyAsync(userId, CodeAt(0)));
        _time.Advance(TotpAuthenticator.LockDuration + TimeSpan.FromSeconds(1));
        Assert.Equal(TotpResult.Accepted, await totp.VerifyAsync(userId, CodeAt(0)));
    });

    [Fact]
    [Trait(Catalogue.Row, "AT-20")]
    public async Task RightCode_ResetsTheCountOfWrongOnes() => await WithAuthenticatorAsync(async (totp, userId) =>
    {
        for (var i = 0; i < TotpAuthenticator.MaxConsecutiveFailures - 1; i++)
        {
            await totp.RecordFailureAsync(userId);
        }

        Assert.Equal(TotpResult.Accepted, await totp.VerifyAsync(userId, CodeAt(0)));
        await totp.RecordFailureAsync(userId);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(TotpResult.Accepted, await totp.VerifyAsync(userId, CodeAt(0)));
    });
}
