namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>Claim types OnePass keeps in the SSO session cookie (and copies into tokens).</summary>
public static class SessionClaims
{
    /// <summary>
    /// The OIDC <c>sid</c> an agency sees: derived per agency from the session id (see
    /// <see cref="SubjectIdentifiers.SessionIdFor"/>), so two agencies cannot correlate a citizen by it.
    /// </summary>
    public const string SessionId = "sid";

    /// <summary>
    /// OnePass's own session id (never sent to agencies): in the session ticket the storage key, new at
    /// every authentication; in codes and refresh tokens the session's stable identity they are bound to.
    /// </summary>
    public const string OnePassSessionId = "onepass_session";

    /// <summary>In the session ticket, the session's stable identity when it differs from the storage key (after a re-authentication).</summary>
    public const string OnePassStableSessionId = "onepass_sid";

    /// <summary>A digest of the user's security stamp when a token was issued: a password change invalidates refresh tokens.</summary>
    public const string SecurityStampDigest = "onepass_stamp";

    /// <summary>When the user last authenticated, Unix seconds.</summary>
    public const string AuthTime = "auth_time";

    public const string Acr = "acr";

    public const string Amr = "amr";
}
