using System.ComponentModel.DataAnnotations;

namespace OnePass.IdentityProvider.Infrastructure;

/// <summary>The <c>OnePass</c> configuration section (CONTRACT §2), validated on start.</summary>
public sealed class OnePassOptions
{
    public const string SectionName = "OnePass";

    /// <summary>Public base URL. Required outside Development; never taken from a Host header when set.</summary>
    public string? Issuer { get; set; }

    /// <summary>Refuse plain HTTP. Null means: true outside Development.</summary>
    public bool? RequireHttps { get; set; }

    public DatabaseProvider DatabaseProvider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>A seed file applied (idempotently) at every start.</summary>
    public string? SeedFile { get; set; }

    /// <summary>Reverse proxies whose X-Forwarded-* headers are believed. Empty: none is.</summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>Networks (CIDR, e.g. <c>10.0.0.0/8</c>) of reverse proxies whose addresses change, such as ingress controller pods.</summary>
    public IList<string> KnownNetworks { get; } = [];

    public RateLimitOptions RateLimits { get; set; } = new();

    public KeyOptions Keys { get; set; } = new();

    public LockoutPolicyOptions Lockout { get; set; } = new();

    public TokenLifetimeOptions Tokens { get; set; } = new();

    public Features.Authorization.PruningOptions Pruning { get; set; } = new();

    public Features.Sessions.SessionOptions Sessions { get; set; } = new();

    public Features.AdminApi.AdminConsoleOptions AdminConsole { get; set; } = new();

    /// <summary>How long one Redis operation may take before the request answers 503 (CATALOGUE FT-05).</summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromSeconds(1);

    public Features.Sessions.BackChannelLogoutOptions BackChannelLogout { get; set; } = new();

    /// <summary>The issuer as an absolute URI with a trailing slash, or null when none is configured.</summary>
    public Uri? IssuerUri => string.IsNullOrWhiteSpace(Issuer)
        ? null
        : new Uri(Issuer.EndsWith('/') ? Issuer : Issuer + "/", UriKind.Absolute);
}

public enum DatabaseProvider
{
    Sqlite,
    PostgreSQL,
}

public sealed class RateLimitOptions
{
    /// <summary>Sign-in attempts accepted from one IP address per minute (CONTRACT §2).</summary>
    [Range(1, 1_000_000)]
    public int SignInPerIpPerMinute { get; set; } = 300;

    /// <summary>Authorization and end-session requests accepted from one IP address per minute.</summary>
    [Range(1, 1_000_000)]
    public int AuthorizationRequestsPerIpPerMinute { get; set; } = 600;
}

public sealed class KeyOptions
{
    /// <summary>RS256 (default) or ES256 for newly generated signing keys.</summary>
    [RegularExpression("^(RS256|ES256)$")]
    public string Algorithm { get; set; } = "RS256";

    /// <summary>How long a rotated-in key is published in JWKS before it signs (RPs cache JWKS).</summary>
    public TimeSpan PublishLead { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often each node re-reads the key table, to pick up a rotation made elsewhere.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class LockoutPolicyOptions
{
    /// <summary>Consecutive password failures before the account is locked for a while.</summary>
    [Range(1, 100)]
    public int MaxFailedAttempts { get; set; } = 10;

    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(15);
}

public sealed class TokenLifetimeOptions
{
    public TimeSpan AuthorizationCode { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan AccessToken { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan IdentityToken { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Absolute: rotation never extends it (RFC 9700 §4.14, CATALOGUE AT-08).</summary>
    public TimeSpan RefreshToken { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Lifetime of a stored authorization or end-session request (PAR and request caching).</summary>
    public TimeSpan Request { get; set; } = TimeSpan.FromMinutes(10);
}
