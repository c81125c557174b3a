using System.Collections.Concurrent;
using Fido2NetLib;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Infrastructure;

namespace OnePass.IdentityProvider.Features.Mfa.Passkeys;

/// <summary>
/// The <c>OnePass:Passkeys</c> section (CONTRACT §2): the WebAuthn relying-party id and the origins
/// allowed in client data. Both default to the host and the origin of <c>OnePass:Issuer</c>; with no
/// issuer (Development only) to the request's own host and origin.
/// </summary>
public sealed class PasskeyOptions
{
    public const string SectionName = "OnePass:Passkeys";

    /// <summary>The relying-party id: a registrable domain suffix of the origins' hosts, such as <c>onepass.gov.example</c>.</summary>
    public string? RpId { get; set; }

    /// <summary>Fully qualified origins (<c>https://host[:port]</c>) whose client data is accepted.</summary>
    public IList<string> Origins { get; } = [];

    /// <summary>The name authenticators show for this relying party.</summary>
    public string RpName { get; set; } = "OnePass";
}

/// <summary>
/// The relying party a ceremony runs for: a <see cref="Fido2"/> built from a <see cref="Fido2Configuration"/>
/// with the configured (or defaulted) relying-party id and origins, checked strictly by Fido2 (origin
/// in client data, rpIdHash in authenticator data).
/// </summary>
public sealed class PasskeyRelyingParty(IOptions<PasskeyOptions> passkeys, IOptions<OnePassOptions> onePass)
{
    /// <summary>Challenges are single use and short lived (issue 4): two minutes.</summary>
    public static readonly TimeSpan CeremonyLifetime = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, IFido2> _byRequestOrigin = new(StringComparer.Ordinal);
    private IFido2? _configured;

    /// <summary>The Fido2 instance for this request: the configured one, or (no issuer, Development) one for the request's origin.</summary>
    public IFido2 For(HttpContext context)
    {
        if (_configured is not null)
        {
            return _configured;
        }

        var (rpId, origins, fromConfiguration) = Resolve(context);
        if (fromConfiguration)
        {
            return _configured = Create(rpId, origins);
        }

        // Development without an issuer: bounded by the handful of hosts a developer uses.
        if (_byRequestOrigin.Count > 32)
        {
            _byRequestOrigin.Clear();
        }

        return _byRequestOrigin.GetOrAdd(rpId + " " + string.Join(' ', origins), _ => Create(rpId, origins));
    }

    /// <summary>The relying-party id and origins for this request, and whether they came from configuration (not the request).</summary>
    public (string RpId, IReadOnlyList<string> Origins, bool FromConfiguration) Resolve(HttpContext context)
    {
        var options = passkeys.Value;
        var issuer = onePass.Value.IssuerUri;
        var fallbackOrigin = issuer is not null
            ? issuer.GetLeftPart(UriPartial.Authority)
            : $"{context.Request.Scheme}://{context.Request.Host.Value}";
        var fallbackHost = issuer?.Host ?? context.Request.Host.Host;

        var origins = options.Origins.Where(origin => !string.IsNullOrWhiteSpace(origin)).Select(origin => origin.TrimEnd('/')).ToList();
        if (origins.Count == 0)
        {
            origins.Add(fallbackOrigin);
        }

        var rpId = string.IsNullOrWhiteSpace(options.RpId) ? fallbackHost : options.RpId;
        return (rpId, origins, issuer is not null || (!string.IsNullOrWhiteSpace(options.RpId) && options.Origins.Count > 0));
    }

    private Fido2 Create(string rpId, IReadOnlyList<string> origins) => new Fido2(new Fido2Configuration
    {
        RPID = rpId,
        RPName = passkeys.Value.RpName,
        Origins = new HashSet<string>(origins, StringComparer.Ordinal),
        Timeout = (uint)CeremonyLifetime.TotalMilliseconds,
        ChallengeSize = 32,
    });
}
