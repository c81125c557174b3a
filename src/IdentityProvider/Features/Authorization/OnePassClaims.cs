namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>Claim types OnePass keeps in the SSO session cookie (and copies into tokens).</summary>
public static class SessionClaims
{
    /// <summary>The OP session id, shared by every agency signed in through this session (OIDC <c>sid</c>).</summary>
    public const string SessionId = "sid";

    /// <summary>When the user last authenticated, Unix seconds.</summary>
    public const string AuthTime = "auth_time";

    public const string Acr = "acr";

    public const string Amr = "amr";
}
