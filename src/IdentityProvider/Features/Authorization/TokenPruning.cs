using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Infrastructure;
using OpenIddict.Abstractions;

namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>
/// Removes what OpenIddict no longer needs — expired, redeemed or revoked tokens (codes, refresh
/// tokens, stored requests) and ad-hoc authorizations left without tokens — once they are older than
/// <see cref="PruningOptions.KeepFor"/>, so the tables plateau instead of growing with every sign-in
/// (CATALOGUE LD-02). Each node runs it; the deletes are idempotent.
/// </summary>
public sealed class TokenPruning(IServiceScopeFactory scopes, IOptions<OnePassOptions> options, TimeProvider time, ILogger<TokenPruning> logger)
    : BackgroundService
{
    public async Task<(long Tokens, long Authorizations)> PruneOnceAsync(CancellationToken cancellationToken = default)
    {
        var threshold = time.GetUtcNow() - options.Value.Pruning.KeepFor;
        await using var scope = scopes.CreateAsyncScope();
        var tokens = await scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>().PruneAsync(threshold, cancellationToken);
        var authorizations = await scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>().PruneAsync(threshold, cancellationToken);
        logger.LogInformation("Pruned {Tokens} tokens and {Authorizations} authorizations older than {Threshold:u}.", tokens, authorizations, threshold);
        return (tokens, authorizations);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Pruning.Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PruneOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Pruning failed; the next run tries again.");
            }
        }
    }
}

public sealed class PruningOptions
{
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long finished entries are kept before removal. A redeemed refresh token must outlive the
    /// refresh-token lifetime, or a replay of it would no longer revoke its family (RFC 9700 §4.14).
    /// </summary>
    public TimeSpan KeepFor { get; set; } = TimeSpan.FromDays(15);
}
