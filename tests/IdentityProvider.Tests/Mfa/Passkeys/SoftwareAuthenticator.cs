using System.Buffers.Binary;
using System.Buffers.Text;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OnePass.IdentityProvider.Tests.Mfa.Passkeys;

/// <summary>
/// A software WebAuthn authenticator for tests: one ES256 (P-256) credential, attestation format
/// "none", and the client's part (clientDataJSON) too, so every byte a browser would send can be
/// crafted or spoiled. authenticatorData = rpIdHash | flags | signCount | [attestedCredentialData].
/// </summary>
public sealed class SoftwareAuthenticator : IDisposable
{
    public const byte UserPresent = 0x01;
    public const byte UserVerified = 0x04;
    public const byte BackupEligible = 0x08;
    public const byte AttestedData = 0x40;

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public byte[] CredentialId { get; init; } = RandomNumberGenerator.GetBytes(16);

    public byte[]? UserHandle { get; private set; }

    public uint Counter { get; set; }

    /// <summary>The registration a browser would send for creation options (as JSON from OnePass).</summary>
    public JsonObject Register(JsonElement options, string origin, byte flags = UserPresent | UserVerified, string? rpId = null)
    {
        var challenge = options.GetProperty("challenge").GetString()!;
        UserHandle = Base64Url.DecodeFromChars(options.GetProperty("user").GetProperty("id").GetString()!);
        var clientData = ClientData("webauthn.create", challenge, origin);
        var authData = AuthenticatorData(rpId ?? options.GetProperty("rp").GetProperty("id").GetString()!, (byte)(flags | AttestedData), Counter, AttestedCredentialData());

        var attestation = new CborWriter(CborConformanceMode.Lax);
        attestation.WriteStartMap(3);
        attestation.WriteTextString("fmt");
        attestation.WriteTextString("none");
        attestation.WriteTextString("attStmt");
        attestation.WriteStartMap(0);
        attestation.WriteEndMap();
        attestation.WriteTextString("authData");
        attestation.WriteByteString(authData);
        attestation.WriteEndMap();

        return new JsonObject
        {
            ["id"] = Base64Url.EncodeToString(CredentialId),
            ["rawId"] = Base64Url.EncodeToString(CredentialId),
            ["type"] = "public-key",
            ["response"] = new JsonObject
            {
                ["attestationObject"] = Base64Url.EncodeToString(attestation.Encode()),
                ["clientDataJSON"] = Base64Url.EncodeToString(clientData),
                ["transports"] = new JsonArray("internal"),
            },
            ["clientExtensionResults"] = new JsonObject(),
        };
    }

    /// <summary>The assertion a browser would send for request options; each part can be overridden.</summary>
    public JsonObject Assert(JsonElement options, string origin, byte flags = UserPresent | UserVerified, string? rpId = null,
        uint? counter = null, byte[]? clientDataOverride = null, string? challengeOverride = null)
    {
        var challenge = challengeOverride ?? options.GetProperty("challenge").GetString()!;
        if (counter is null)
        {
            Counter++;
        }

        var clientData = clientDataOverride ?? ClientData("webauthn.get", challenge, origin);
        var authData = AuthenticatorData(rpId ?? options.GetProperty("rpId").GetString()!, flags, counter ?? Counter, []);
        byte[] signed = [.. authData, .. SHA256.HashData(clientData)];
        var signature = _key.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        return new JsonObject
        {
            ["id"] = Base64Url.EncodeToString(CredentialId),
            ["rawId"] = Base64Url.EncodeToString(CredentialId),
            ["type"] = "public-key",
            ["response"] = new JsonObject
            {
                ["authenticatorData"] = Base64Url.EncodeToString(authData),
                ["clientDataJSON"] = Base64Url.EncodeToString(clientData),
                ["signature"] = Base64Url.EncodeToString(signature),
                ["userHandle"] = UserHandle is null ? null : Base64Url.EncodeToString(UserHandle),
            },
            ["clientExtensionResults"] = new JsonObject(),
        };
    }

    public static byte[] ClientData(string type, string challenge, string origin) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type, challenge, origin, crossOrigin = false }));

    private static byte[] AuthenticatorData(string rpId, byte flags, uint counter, byte[] attested)
    {
        var data = new byte[37 + attested.Length];
        SHA256.HashData(Encoding.UTF8.GetBytes(rpId)).CopyTo(data, 0);
        data[32] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(33), counter);
        attested.CopyTo(data, 37);
        return data;
    }

    /// <summary>aaguid (zero) | credentialIdLength | credentialId | COSE_Key (kty EC2, alg ES256, crv P-256, x, y).</summary>
    private byte[] AttestedCredentialData()
    {
        var point = _key.ExportParameters(includePrivateParameters: false).Q;
        var cose = new CborWriter(CborConformanceMode.Ctap2Canonical);
        cose.WriteStartMap(5);
        cose.WriteInt32(1);
        cose.WriteInt32(2);
        cose.WriteInt32(3);
        cose.WriteInt32(-7);
        cose.WriteInt32(-1);
        cose.WriteInt32(1);
        cose.WriteInt32(-2);
        cose.WriteByteString(point.X!);
        cose.WriteInt32(-3);
        cose.WriteByteString(point.Y!);
        cose.WriteEndMap();

        var length = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)CredentialId.Length);
        return [.. new byte[16], .. length, .. CredentialId, .. cose.Encode()];
    }

    public void Dispose() => _key.Dispose();
}
