using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Infrastructure.Keys;

namespace OnePass.IdentityProvider.Features.Sessions;

/// <summary>
/// Back-channel logout tokens (Back-Channel Logout 1.0 §2.4, CATALOGUE AT-30): a JWT typed
/// <c>logout+jwt</c>, signed with the key that signs ID tokens now (so it is in JWKS), with iss, aud,
/// iat, exp (two minutes), jti, the back-channel logout event, sub and (when known) sid — and never a nonce.
/// </summary>
public sealed class LogoutTokenFactory(KeyRing keys, TimeProvider time)
{
    public const string TokenType = "logout+jwt";
    public const string BackChannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>A new <c>jti</c>: the dispatcher takes one for every delivery attempt.</summary>
    public static string NewTokenId() => System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));

    /// <summary>The token for one delivery attempt: <c>jti</c> as the row has it for this attempt, <c>iat</c> and <c>exp</c> from now.</summary>
    public string Create(LogoutNotification notification)
    {
        var now = time.GetUtcNow();
        var key = keys.Current(KeyUses.Signing, now)
            ?? throw new InvalidOperationException("No signing key is active.");
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Jti] = notification.TokenId,
            [JwtRegisteredClaimNames.Sub] = notification.Subject,
            ["events"] = new Dictionary<string, object> { [BackChannelLogoutEvent] = new Dictionary<string, object>() },
        };

        // No session id: the logout is for every session of the subject (an agency the citizen disconnected
        // while no session of theirs had signed into it). A "sid" claim with an empty value would be invalid.
        if (!string.IsNullOrEmpty(notification.SessionId))
        {
            claims["sid"] = notification.SessionId;
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = TokenType,
            Issuer = notification.Issuer,
            Audience = notification.ClientId,
            IssuedAt = now.UtcDateTime,
            Expires = (now + Lifetime).UtcDateTime,
            SigningCredentials = key.ToSigningCredentials(),
            Claims = claims,
        });
    }
}
