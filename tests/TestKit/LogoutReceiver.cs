using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;

namespace OnePass.TestKit;

/// <summary>
/// Stand-in agencies for back-channel logout: a real HTTP server on a loopback port where each agency
/// has a path <c>/bcl/{agency}</c>. Records every logout token received; per agency it can answer a
/// chosen status, hang, or (with <see cref="StopAsync"/>) not be there at all. It also counts the
/// requests in flight per <c>jti</c>: two nodes sending one notification at the same moment show up
/// as a <see cref="MaxInFlight"/> above one.
/// </summary>
public sealed class LogoutReceiver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _received = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Now, int Max)> _inFlight = new(StringComparer.Ordinal);
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

    /// <summary>Every agency request waits this long before it is answered (widens overlap windows).</summary>
    public TimeSpan Hold { get; set; }

    public bool IsRunning => _app is not null;

    public IReadOnlyList<string> Received(string agency) =>
        _received.TryGetValue(agency, out var queue) ? [.. queue] : [];

    public IReadOnlyList<JsonWebToken> Tokens(string agency) => [.. Received(agency).Select(token => new JsonWebToken(token))];

    /// <summary>The most requests carrying this <c>jti</c> ever in flight at once (0: never received).</summary>
    public int MaxInFlight(string jti)
    {
        lock (_inFlight)
        {
            return _inFlight.GetValueOrDefault(jti).Max;
        }
    }

    /// <summary>Waits until the agency has received at least <paramref name="count"/> tokens satisfying <paramref name="condition"/>.</summary>
    public async Task<IReadOnlyList<JsonWebToken>> WaitForAsync(string agency, Func<JsonWebToken, bool> condition, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var tokens = Tokens(agency).Where(condition).ToList();
            if (tokens.Count >= count)
            {
                return tokens;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Agency {agency} received {tokens.Count} of {count} expected logout tokens.");
            }

            await Task.Delay(50);
        }
    }

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
        if (_app is not null)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/bcl/{agency}", async (string agency, HttpRequest request, CancellationToken cancellationToken) =>
        {
            var form = await request.ReadFormAsync(cancellationToken);
            var token = form["logout_token"].ToString();
            var jti = JtiOf(token);
            Count(jti, +1);
            try
            {
                var delay = _delays.TryGetValue(agency, out var hang) ? hang : Hold;
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, cancellationToken);
                }

                _received.GetOrAdd(agency, _ => new ConcurrentQueue<string>()).Enqueue(token);
                lock (_statuses)
                {
                    return _statuses.TryGetValue(agency, out var statuses) && statuses.Count > 0
                        ? Results.StatusCode(statuses.Dequeue())
                        : Results.Ok();
                }
            }
            finally
            {
                Count(jti, -1);
            }
        });
        await app.StartAsync();
        _app = app;
    }

    private void Count(string jti, int change)
    {
        lock (_inFlight)
        {
            var (now, max) = _inFlight.GetValueOrDefault(jti);
            now += change;
            _inFlight[jti] = (now, Math.Max(max, now));
        }
    }

    private static string JtiOf(string token)
    {
        try
        {
            return new JsonWebToken(token).Id ?? string.Empty;
        }
        catch (ArgumentException)
        {
            return string.Empty;
        }
    }

    /// <summary>The agencies' server goes away (connections refused) until <see cref="StartAsync"/>.</summary>
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
