using System.Buffers.Text;
using System.Text.Json;
using OnePass.IdentityProvider.Infrastructure.State;

namespace OnePass.IdentityProvider.Features.Mfa.Passkeys;

/// <summary>
/// WebAuthn ceremony state (issue 4): the options sent to the browser, kept in <see cref="IEphemeralState"/>
/// for two minutes under the challenge itself, per kind of ceremony. The answer's client data names its
/// challenge; <see cref="TakeAsync"/> removes the state it finds, so a challenge is good for one answer,
/// and a challenge issued for another kind of ceremony (or never issued) finds nothing.
/// </summary>
public sealed class PasskeyCeremonies(IEphemeralState state)
{
    public const string Registration = "register";
    public const string SignIn = "signin";
    public const string SecondFactor = "secondfactor";

    /// <summary>Base64url of a 32-byte challenge is 43 characters; anything much longer is not ours.</summary>
    private const int MaxChallengeLength = 128;

    public Task StartAsync(string kind, byte[] challenge, PasskeyCeremony ceremony, CancellationToken cancellationToken) =>
        state.SetAsync(Key(kind, challenge), JsonSerializer.SerializeToUtf8Bytes(ceremony), PasskeyRelyingParty.CeremonyLifetime, cancellationToken);

    /// <summary>Takes (once) the ceremony whose challenge the client data names; null when there is none.</summary>
    public async Task<PasskeyCeremony?> TakeAsync(string kind, byte[]? clientDataJson)
    {
        if (ChallengeOf(clientDataJson) is not { } challenge ||
            await state.TakeAsync(Key(kind, challenge), CancellationToken.None) is not { } bytes)
        {
            return null;
        }

        return JsonSerializer.Deserialize<PasskeyCeremony>(bytes);
    }

    /// <summary>The challenge in WebAuthn client data (base64url), decoded; null when the client data is not JSON with one.</summary>
    public static byte[]? ChallengeOf(byte[]? clientDataJson)
    {
        if (clientDataJson is not { Length: > 0 })
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(clientDataJson, new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("challenge", out var challenge) ||
                challenge.ValueKind != JsonValueKind.String ||
                challenge.GetString() is not { Length: > 0 and <= MaxChallengeLength } text ||
                !Base64Url.IsValid(text))
            {
                return null;
            }

            return Base64Url.DecodeFromChars(text);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Key(string kind, byte[] challenge) => "passkey:" + kind + ":" + Base64Url.EncodeToString(challenge);
}

/// <summary>
/// One ceremony in progress: the options JSON sent to the browser, the user it is for (registration,
/// second factor), the passkey's name (registration), and where to go afterwards (sign-in).
/// </summary>
public sealed record PasskeyCeremony(string OptionsJson, Guid? UserId = null, string? Name = null, string? ReturnUrl = null);
