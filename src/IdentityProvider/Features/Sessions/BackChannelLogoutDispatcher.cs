using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Infrastructure;

namespace OnePass.IdentityProvider.Features.Sessions;

/// <summary>
/// Delivers the back-channel logout outbox, on every node: takes due rows, claims each with a
/// conditional UPDATE (so two nodes never send the same row at once), POSTs the logout tokens in
/// parallel with a short timeout, and records the outcome — delivered on 2xx, else retried with
/// back-off until <see cref="BackChannelLogoutOptions.MaxAttempts"/> (CATALOGUE FT-16). Rows survive
/// restarts; a node that dies mid-send leaves a lease that expires, and another node retries.
/// </summary>
public sealed class BackChannelLogoutDispatcher(
    IServiceScopeFactory scopes,
    IHttpClientFactory httpClients,
    LogoutTokenFactory tokens,
    LogoutDispatchSignal signal,
    IOptions<OnePassOptions> options,
    TimeProvider time,
    ILogger<BackChannelLogoutDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "OnePass.BackChannelLogout";
    private const int MaxErrorLength = 500;

    private readonly BackChannelLogoutOptions _options = options.Value.BackChannelLogout;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var sent = await DispatchDueAsync(stoppingToken);
                if (sent < _options.BatchSize)
                {
                    await signal.WaitAsync(_options.PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The database may be restarting (CATALOGUE FT-06): wait and try again, never stop.
                logger.LogWarning(exception, "Back-channel logout dispatch failed; retrying.");
                await Task.Delay(_options.PollInterval, time, stoppingToken);
            }
        }
    }

    /// <summary>Sends one batch of due notifications; returns how many were attempted.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OnePassDbContext>();
        var now = time.GetUtcNow();
        var due = await db.LogoutNotifications.AsNoTracking()
            .Where(n => n.Status == LogoutNotificationStatus.Pending && n.NextAttemptAt <= now)
            .OrderBy(n => n.NextAttemptAt)
            .Take(_options.BatchSize)
            .ToListAsync(cancellationToken);

        // A lease longer than one attempt: if this node dies mid-send, the row is due again after it.
        var leaseEnd = now + (_options.Timeout * 2) + TimeSpan.FromSeconds(5);
        var claimed = new List<LogoutNotification>(due.Count);
        foreach (var notification in due)
        {
            // Every attempt is a new token with a new jti: an agency that processed an earlier attempt whose
            // answer was lost would rightly refuse that jti again as a replay (Back-Channel Logout 1.0 §2.6).
            var previous = notification.NextAttemptAt;
            var tokenId = LogoutTokenFactory.NewTokenId();
            var rows = await db.LogoutNotifications
                .Where(n => n.Id == notification.Id && n.Status == LogoutNotificationStatus.Pending && n.NextAttemptAt == previous)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(n => n.NextAttemptAt, leaseEnd)
                    .SetProperty(n => n.TokenId, tokenId)
                    .SetProperty(n => n.Attempts, n => n.Attempts + 1), cancellationToken);
            if (rows == 1)
            {
                notification.Attempts++;
                notification.TokenId = tokenId;
                claimed.Add(notification);
            }
        }

        var outcomes = await Task.WhenAll(claimed.Select(notification => SendAsync(notification, cancellationToken)));
        foreach (var (notification, outcome) in claimed.Zip(outcomes))
        {
            await RecordAsync(db, notification, outcome, cancellationToken);
        }

        return claimed.Count;
    }

    private async Task<Outcome> SendAsync(LogoutNotification notification, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            using var content = new FormUrlEncodedContent([new KeyValuePair<string, string>("logout_token", tokens.Create(notification))]);
            using var response = await httpClients.CreateClient(HttpClientName)
                .PostAsync(new Uri(notification.Uri), content, timeout.Token);
            var status = (int)response.StatusCode;

            // Back-Channel Logout 1.0 §2.8: 200 on success (some frameworks answer 204). A 4xx other than
            // 408/429 means the agency refuses this token: trying it again would not help.
            return response.IsSuccessStatusCode
                ? new Outcome(Delivered: true, Retry: false, status, null)
                : new Outcome(false, status is >= 500 or 408 or 429, status, $"The agency answered {status}.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Outcome(false, true, null, $"No answer within {_options.Timeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException exception)
        {
            return new Outcome(false, true, null, exception.Message);
        }
    }

    private async Task RecordAsync(OnePassDbContext db, LogoutNotification notification, Outcome outcome, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var error = outcome.Error is { Length: > MaxErrorLength } text ? text[..MaxErrorLength] : outcome.Error;
        var status = outcome.Delivered ? LogoutNotificationStatus.Delivered
            : outcome.Retry && notification.Attempts < _options.MaxAttempts ? LogoutNotificationStatus.Pending
            : LogoutNotificationStatus.Failed;
        var next = status == LogoutNotificationStatus.Pending ? now + RetryDelay(notification.Attempts) : now;

        // Only this attempt's own claim: if this node stalled past its lease and another node claimed the
        // row again, that node's outcome stands (every claim increments Attempts).
        var rows = await db.LogoutNotifications
            .Where(n => n.Id == notification.Id && n.Attempts == notification.Attempts)
            .ExecuteUpdateAsync(set => set
            .SetProperty(n => n.Status, status)
            .SetProperty(n => n.NextAttemptAt, next)
            .SetProperty(n => n.DeliveredAt, outcome.Delivered ? now : (DateTimeOffset?)null)
            .SetProperty(n => n.LastStatusCode, outcome.StatusCode)
            .SetProperty(n => n.LastError, error), cancellationToken);
        if (rows == 0)
        {
            return;
        }

        if (outcome.Delivered)
        {
            logger.LogInformation("Back-channel logout delivered to {ClientId} (attempt {Attempt}).", notification.ClientId, notification.Attempts);
        }
        else
        {
            logger.LogWarning("Back-channel logout to {ClientId} failed (attempt {Attempt}, {Status}): {Error}",
                notification.ClientId, notification.Attempts, status, error);
        }
    }

    private TimeSpan RetryDelay(int attempts)
    {
        var delay = _options.RetryBaseDelay * Math.Pow(3, Math.Min(attempts - 1, 10));
        return delay < TimeSpan.FromHours(1) ? delay : TimeSpan.FromHours(1);
    }

    /// <summary>
    /// The HTTP handler for agency calls: no redirects (a logout token must not be forwarded elsewhere)
    /// and no connections to link-local or cloud-metadata addresses, whatever the URI resolves to (SSRF).
    /// </summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
            var allowed = addresses.Where(address => !IsForbidden(address)).ToArray();
            if (allowed.Length == 0)
            {
                throw new HttpRequestException($"The address of {context.DnsEndPoint.Host} is not allowed for back-channel logout.");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>Link-local (169.254/16, fe80::/10: cloud metadata lives there) and unspecified addresses.</summary>
    public static bool IsForbidden(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal)
        {
            return true;
        }

        var bytes = address.GetAddressBytes();
        return address.AddressFamily == AddressFamily.InterNetwork && bytes[0] == 169 && bytes[1] == 254;
    }

    private readonly record struct Outcome(bool Delivered, bool Retry, int? StatusCode, string? Error);
}
