using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Data;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.SignIn;

/// <summary>
/// The same work for every failed sign-in (CONTRACT §4, CATALOGUE AT-22): an unknown user, a wrong
/// password and a locked account each cost exactly one password-hash verification, so response time
/// does not tell them apart. Counted, not timed: a decorator counts the hasher's verifications.
/// </summary>
public sealed class PasswordWorkTests : IDisposable
{
    private const string LockedUser = "locked-citizen";
    private readonly CountingHasher _hasher = new();
    private readonly OnePassHost _host;

    public PasswordWorkTests() => _host = new OnePassHost(new OnePassHostOptions
    {
        ConfigureSeed = seed => ((JsonArray)seed["users"]!).Add(TestSeed.User(LockedUser, "locked@example.test", "Locked Citizen")),
        ConfigureServices = services => services.AddSingleton<IPasswordHasher<OnePassUser>>(_hasher),
    });

    public void Dispose() => _host.Dispose();

    [Theory]
    [Trait(Catalogue.Row, "AT-22")]
    [InlineData("unknown-person", "any password that is long enough")]
    [InlineData(TestSeed.Citizen, "a wrong password that is long enough")]
    [InlineData(LockedUser, TestSeed.Password)]
    public async Task FailedSignIn_VerifiesExactlyOnePasswordHash(string username, string password)
    {
        await _host.WithServicesAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<OnePassUser>>();
            var locked = await users.FindByNameAsync(LockedUser);
            await users.SetLockoutEndDateAsync(locked!, DateTimeOffset.UtcNow.AddHours(1));
        });
        using var browser = _host.CreateBrowser();
        var loginPage = await browser.NavigateAsync("/account/login");
        var before = _hasher.Verifications;

        var page = await browser.SubmitAsync(loginPage, new Dictionary<string, string> { ["username"] = username, ["password"] = password });

        Assert.True(page.IsLoginPage);
        Assert.Equal(1, _hasher.Verifications - before);
    }

    private sealed class CountingHasher : IPasswordHasher<OnePassUser>
    {
        private readonly PasswordHasher<OnePassUser> _inner = new();
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public string HashPassword(OnePassUser user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(OnePassUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
