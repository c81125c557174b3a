using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OnePass.TestKit;

/// <summary>
/// Stand-in agencies for back-channel logout: a real HTTP server on a loopback port where each agency
/// has a path <c>/bcl/{agency}</c>. Records every logout token received; per agency it can answer a
/// chosen status, hang, or (with <see cref="StopAsync"/>) not be there at all.
/// </summary>
public sealed class LogoutReceiver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _received = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Queue<int>> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TimeSpan> _delays = new(StringComparer.Ordinal);
    private WebApplication? _app;

    public LogoutReceiver()
    {
        Port = OnePassHost.FreePort();
    }

    public int Port { get; }

    public string UriFor(string agency) => $"http://127.0.0.1:{Port}/bcl/{agency}";

    /// <summary>The next answers for this agency, in order (then 200).</summary>
    public void AnswerNext(string agency, params int[] statuses) => _statuses[agency] = new Queue<int>(statuses);

    /// <summary>Every request for this agency waits this long before answering.</summary>
    public void Hang(string agency, TimeSpan delay) => _delays[agency] = delay;

    public IReadOnlyList<string> Received(string agency) =>
        _received.TryGetValue(agency, out var queue) ? [.. queue] : [];

    /// <summary>Waits until the agency has received at least <paramref name="count"/> tokens.</summary>
    public async Task<IReadOnlyList<string>> WaitForAsync(string agency, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            if (Received(agency).Count >= count)
            {
                return Received(agency);
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Agency {agency} received {Received(agency).Count} of {count} logout tokens.");
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/bcl/{agency}", async (string agency, HttpRequest request, CancellationToken cancellationToken) =>
        {
            if (_delays.TryGetValue(agency, out var delay))
            {
                await Task.Delay(delay, cancellationToken);
            }

            var form = await request.ReadFormAsync(cancellationToken);
            _received.GetOrAdd(agency, _ => new ConcurrentQueue<string>()).Enqueue(form["logout_token"].ToString());
            lock (_statuses)
            {
                return _statuses.TryGetValue(agency, out var statuses) && statuses.Count > 0
                    ? Results.StatusCode(statuses.Dequeue())
                    : Results.Ok();
            }
        });
        await app.StartAsync();
        _app = app;
    }

    /// <summary>The agency's server goes away (connections refused) until <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
