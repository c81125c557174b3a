using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OnePass.TestKit;

namespace OnePass.EndToEnd.Tests;

/// <summary>
/// A WebAuthn assertion (§6.1 authenticator data, §5.8.1 client data) signed with the private key of a
/// credential exported from Chromium's virtual authenticator (CDP <c>WebAuthn.getCredentials</c>), with a
/// client-data origin the test chooses: what a page on another origin would send if its browser let it.
/// </summary>
public static class ForgedAssertion
{
    private const byte UserPresent = 0x01;
    private const byte UserVerified = 0x04;

    /// <summary>The JSON body passkeys.js posts to <c>/account/passkeys/signin</c>.</summary>
    public static string SignInBody(JsonElement credential, string rpId, string challenge, string origin)
    {
        var credentialId = Convert.FromBase64String(credential.GetProperty("credentialId").GetString()!);
        var userHandle = Convert.FromBase64String(credential.GetProperty("userHandle").GetString()!);
        var counter = (uint)credential.GetProperty("signCount").GetInt32() + 1;

        var clientData = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["type"] = "webauthn.get",
            ["challenge"] = challenge,
            ["origin"] = origin,
            ["crossOrigin"] = false,
        });
        var authenticatorData = new byte[37];
        SHA256.HashData(Encoding.UTF8.GetBytes(rpId)).CopyTo(authenticatorData, 0);
        authenticatorData[32] = UserPresent | UserVerified;
        authenticatorData[33] = (byte)(counter >> 24);
        authenticatorData[34] = (byte)(counter >> 16);
        authenticatorData[35] = (byte)(counter >> 8);
        authenticatorData[36] = (byte)counter;

        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(Convert.FromBase64String(credential.GetProperty("privateKey").GetString()!), out _);
        var signature = key.SignData([.. authenticatorData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        var id = Pkce.Base64Url(credentialId);
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["id"] = id,
            ["rawId"] = id,
            ["type"] = "public-key",
            ["response"] = new Dictionary<string, object>
            {
                ["authenticatorData"] = Pkce.Base64Url(authenticatorData),
                ["clientDataJSON"] = Pkce.Base64Url(clientData),
                ["signature"] = Pkce.Base64Url(signature),
                ["userHandle"] = Pkce.Base64Url(userHandle),
            },
            ["clientExtensionResults"] = new Dictionary<string, object>(),
        });
    }
}
