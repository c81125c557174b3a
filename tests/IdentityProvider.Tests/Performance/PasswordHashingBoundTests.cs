using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Features.Account;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Performance;

/// <summary>
/// Password hashing is bounded (issue 7, CATALOGUE LD-03, LD-05): at most one hash per slot at a time, a short wait,
/// a bounded queue, then 503 with <c>Retry-After</c>; the token endpoint is never behind it. Slots are held by the
/// test itself, so nothing depends on timing.
/// </summary>
public sealed class PasswordHashingBoundTests
{
    [Fact]
    [Trait(Catalogue.Row, "LD-05")]
    public async Task EnterAsync_AllSlotsHeldAndNoWait_ThrowsBusy()
    {
        using var gate = new PasswordHashingGate(slots: 2, wait: TimeSpan.Zero);
        using var first = await gate.EnterAsync();
        using var second = await gate.EnterAsync();

        await Assert.ThrowsAsync<PasswordHashingBusyException>(async () => await gate.EnterAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-05")]
    public async Task EnterAsync_AfterLeaseReleased_GetsTheSlot()
    {
        using var gate = new PasswordHashingGate(slots: 1, wait: TimeSpan.Zero);
        var held = await gate.EnterAsync();
        held.Dispose();
        held.Dispose(); // a second dispose releases nothing more

        using var lease = await gate.EnterAsync();

        Assert.Equal(0, gate.Available);
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-03")]
    public async Task EnterAsync_QueueFull_ThrowsBusyAtOnce()
    {
        using var gate = new PasswordHashingGate(slots: 1, wait: Timeout.InfiniteTimeSpan);
        using var cancel = new CancellationTokenSource();
        using var held = await gate.EnterAsync();
        var waiting = Enumerable.Range(0, gate.MaxWaiting).Select(_ => gate.EnterAsync(cancel.Token).AsTask()).ToList();

        var overflow = gate.EnterAsync(cancel.Token).AsTask();

        Assert.All(waiting, task => Assert.False(task.IsCompleted));
        Assert.True(overflow.IsFaulted);
        Assert.IsType<PasswordHashingBusyException>(overflow.Exception!.InnerException);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.WhenAll(waiting));
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-03")]
    [Trait(Catalogue.Row, "LD-05")]
    public async Task PasswordSignIn_AllHashSlotsBusy_Answers503WithRetryAfterAndStoresNothing()
    {
        using var host = NoWaitHost();
        using var browser = host.CreateBrowser();
        var login = await browser.NavigateAsync("/account/login");
        var gate = host.Services.GetRequiredService<PasswordHashingGate>();
        var before = await host.CountRowsAsync();

        BrowserPage page;
        using (await gate.EnterAsync())
        {
            page = await browser.SubmitAsync(login, new Dictionary<string, string> { ["username"] = TestSeed.Citizen, ["password"] = TestSeed.Password });
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.Status);
        Assert.NotNull(page.Response.Headers.RetryAfter);
        Assert.Equal(before, await host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-05")]
    public async Task PasswordSignIn_AfterSlotFreed_SignsIn()
    {
        using var host = NoWaitHost();
        using var browser = host.CreateBrowser();
        var gate = host.Services.GetRequiredService<PasswordHashingGate>();
        using (await gate.EnterAsync())
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await browser.SignInAsync(TestSeed.Citizen)).Status);
        }

        var page = await browser.SignInAsync(TestSeed.Citizen);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.False(page.IsLoginPage);
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-05")]
    public async Task ClientCredentials_AllHashSlotsBusy_StillIssuesTokens()
    {
        using var host = NoWaitHost();
        var gate = host.Services.GetRequiredService<PasswordHashingGate>();
        using var held = await gate.EnterAsync();

        var response = await new TokenClient(host.CreateProtocolClient()).ClientCredentialsAsync(TestSeed.MachineClient, TestSeed.MachineSecret);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(0, gate.Available);
    }

    // One slot and no wait: a held slot makes the next sign-in busy at once.
    private static OnePassHost NoWaitHost()
    {
        var host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureServices = services => services.AddSingleton(new PasswordHashingGate(slots: 1, wait: TimeSpan.Zero)),
        });
        host.EnsureStarted();
        return host;
    }
}
