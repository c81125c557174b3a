using System.Diagnostics.Metrics;

namespace OnePass.IdentityProvider.Infrastructure.Telemetry;

/// <summary>
/// OnePass's own instruments, meter <c>OnePass</c> (exported by OpenTelemetry: Prometheus names in brackets).
/// Every label comes from a short list fixed in code or from registered clients only, so the number of series
/// stays bounded whatever a caller sends.
/// </summary>
public sealed class OnePassMetrics : IDisposable
{
    public const string MeterName = "OnePass";

    private const int MaxLabelLength = 40;

    private readonly Meter _meter;
    private readonly Counter<long> _signIns;
    private readonly Counter<long> _tokens;
    private readonly Counter<long> _rateLimitRejections;

    public OnePassMetrics(IMeterFactory meters, OperationalGauges gauges)
    {
        _meter = meters.Create(MeterName);

        // [onepass_sign_ins_total{method,outcome}]: every factor result the audit log records (AuthAudit).
        _signIns = _meter.CreateCounter<long>("onepass.sign_ins", "{event}",
            "Authentication events by method (pwd, otp, passkey, sso…) and outcome (success, failure, locked…), as written to the audit log.");

        // [onepass_tokens_issued_total{grant_type,agency}]: successful token endpoint responses.
        _tokens = _meter.CreateCounter<long>("onepass.tokens.issued", "{response}",
            "Successful token responses by grant type and agency (registered client id).");

        // [onepass_rate_limit_rejections_total{limiter}]: requests answered 429.
        _rateLimitRejections = _meter.CreateCounter<long>("onepass.rate_limit.rejections", "{request}",
            "Requests refused by a per-IP rate limit (sign-in forms, authorization/end-session requests).");

        // [onepass_sessions_active]: SSO sessions in the store (cluster-wide with Redis: the same on every node).
        _meter.CreateObservableGauge("onepass.sessions.active", gauges.ActiveSessions, "{session}",
            "Live SSO sessions in the session store (with Redis: all nodes; ended-but-not-yet-swept sessions included).");

        // [onepass_backchannel_logout_pending]: outbox rows still to deliver (shared database: the same on every node).
        _meter.CreateObservableGauge("onepass.backchannel_logout.pending", gauges.PendingLogoutNotifications, "{notification}",
            "Back-channel logout notifications waiting for delivery or a retry (the outbox).");
    }

    public void SignIn(string method, string outcome) =>
        _signIns.Add(1, new KeyValuePair<string, object?>("method", Bounded(method)), new KeyValuePair<string, object?>("outcome", Bounded(outcome)));

    /// <param name="agency">A registered client id (the caller checks it), or null.</param>
    public void TokenIssued(string? grantType, string? agency) =>
        _tokens.Add(1, new KeyValuePair<string, object?>("grant_type", Bounded(grantType ?? "unknown")),
            new KeyValuePair<string, object?>("agency", agency ?? "none"));

    public void RateLimitRejected(string limiter) =>
        _rateLimitRejections.Add(1, new KeyValuePair<string, object?>("limiter", Bounded(limiter)));

    public void Dispose() => _meter.Dispose();

    private static string Bounded(string value) => value.Length > MaxLabelLength ? value[..MaxLabelLength] : value;
}
