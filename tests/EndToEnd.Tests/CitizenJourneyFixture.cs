using Microsoft.Playwright;

namespace OnePass.EndToEnd.Tests;

/// <summary>OnePass and the sample agency sites on loopback (<see cref="AgencySitesFixture"/>) and one headless Chromium.</summary>
public sealed class CitizenJourneyFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public AgencySitesFixture Sites { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync() => (_playwright, Browser) = await Chromium.LaunchAsync();

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Sites.Dispose();
    }
}
