using System.Buffers.Binary;
using System.IO.Hashing;

namespace OnePass.IdentityProvider.Features.Agencies;

/// <summary>
/// What an uploaded agency logo really is, read from its bytes and never from a file name or a
/// <c>Content-Type</c> header (CATALOGUE IN-AD-03): PNG, JPEG or WebP with a well-formed header giving the
/// width and height. Anything else (SVG, which may carry script; GIF; HTML with an image name) is not a logo.
/// Only the container is checked, not the compressed pixels; the image is served with <c>nosniff</c> and a
/// sandboxing policy, so a file that merely looks like an image can do no harm.
/// </summary>
public sealed record LogoImage(string ContentType, int Width, int Height)
{
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string WebP = "image/webp";

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    // The IEND chunk every PNG ends with: length 0, type, CRC.
    private static ReadOnlySpan<byte> PngEnd => [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82];

    /// <summary>The image's type and size; null when the bytes are not a PNG, JPEG or WebP this parser understands.</summary>
    public static LogoImage? Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith(PngSignature))
        {
            return ReadPng(bytes);
        }

        if (bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
        {
            return ReadJpeg(bytes);
        }

        if (bytes.Length >= 12 && bytes[..4].SequenceEqual("RIFF"u8) && bytes.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return ReadWebP(bytes);
        }

        return null;
    }

    /// <summary>PNG (RFC 2083): the first chunk is IHDR (13 bytes, CRC checked), the last IEND.</summary>
    private static LogoImage? ReadPng(ReadOnlySpan<byte> bytes)
    {
        const int headerEnd = 8 + 4 + 4 + 13 + 4;
        if (bytes.Length < headerEnd + 12 || !bytes.EndsWith(PngEnd) ||
            BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]) != 13 || !bytes.Slice(12, 4).SequenceEqual("IHDR"u8) ||
            Crc32.HashToUInt32(bytes.Slice(12, 4 + 13)) != BinaryPrimitives.ReadUInt32BigEndian(bytes[29..]))
        {
            return null;
        }

        var width = BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]);
        var height = BinaryPrimitives.ReadUInt32BigEndian(bytes[20..]);
        return width > int.MaxValue || height > int.MaxValue ? null : new LogoImage(Png, (int)width, (int)height);
    }

    /// <summary>JPEG (ITU T.81): markers from SOI to the first start-of-frame, which gives the size; the file ends with EOI.</summary>
    private static LogoImage? ReadJpeg(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 4 || bytes[^2] != 0xFF || bytes[^1] != 0xD9)
        {
            return null;
        }

        var position = 2;
        while (position + 4 <= bytes.Length)
        {
            if (bytes[position] != 0xFF)
            {
                return null;
            }

            var marker = bytes[position + 1];
            if (marker == 0xFF)
            {
                position++; // fill byte
                continue;
            }

            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                position += 2; // markers without a length
                continue;
            }

            if (marker is 0xD8 or 0xD9 or 0xDA)
            {
                return null; // a second SOI, an early EOI, or scan data before any frame header
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[(position + 2)..]);
            if (length < 2 || position + 2 + length > bytes.Length)
            {
                return null;
            }

            // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (length < 7)
                {
                    return null;
                }

                var height = BinaryPrimitives.ReadUInt16BigEndian(bytes[(position + 5)..]);
                var width = BinaryPrimitives.ReadUInt16BigEndian(bytes[(position + 7)..]);
                return new LogoImage(Jpeg, width, height);
            }

            position += 2 + length;
        }

        return null;
    }

    /// <summary>WebP (RFC 9649): a RIFF container whose size matches the file, then a VP8, VP8L or VP8X chunk.</summary>
    private static LogoImage? ReadWebP(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 30 || BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]) != (uint)(bytes.Length - 8))
        {
            return null;
        }

        var chunk = bytes.Slice(12, 4);
        var chunkSize = BinaryPrimitives.ReadUInt32LittleEndian(bytes[16..]);
        var data = bytes[20..];
        if (chunkSize > (uint)data.Length)
        {
            return null;
        }

        if (chunk.SequenceEqual("VP8 "u8))
        {
            // Frame tag (3 bytes, bit 0 clear for a key frame), start code 9D 01 2A, then 14-bit width and height.
            if (chunkSize < 10 || (data[0] & 1) != 0 || data[3] != 0x9D || data[4] != 0x01 || data[5] != 0x2A)
            {
                return null;
            }

            return new LogoImage(WebP, BinaryPrimitives.ReadUInt16LittleEndian(data[6..]) & 0x3FFF,
                BinaryPrimitives.ReadUInt16LittleEndian(data[8..]) & 0x3FFF);
        }

        if (chunk.SequenceEqual("VP8L"u8))
        {
            // Signature 0x2F, then width-1 and height-1 in 14 bits each, version bits zero.
            if (chunkSize < 5 || data[0] != 0x2F)
            {
                return null;
            }

            var bits = BinaryPrimitives.ReadUInt32LittleEndian(data[1..]);
            return bits >> 29 != 0 ? null : new LogoImage(WebP, (int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
        }

        if (chunk.SequenceEqual("VP8X"u8))
        {
            // Flags, 3 reserved bytes, then canvas width-1 and height-1 in 24 bits each.
            if (chunkSize < 10)
            {
                return null;
            }

            var width = data[4] | (data[5] << 8) | (data[6] << 16);
            var height = data[7] | (data[8] << 8) | (data[9] << 16);
            return new LogoImage(WebP, width + 1, height + 1);
        }

        return null;
    }
}
