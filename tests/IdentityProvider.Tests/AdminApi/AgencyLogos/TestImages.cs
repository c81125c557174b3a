using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace OnePass.IdentityProvider.Tests.AdminApi.AgencyLogos;

/// <summary>Image files built byte by byte, so the tests need no imaging library.</summary>
public static class TestImages
{
    /// <summary>A complete, decodable grey PNG of the given size.</summary>
    public static byte[] Png(int width, int height)
    {
        using var output = new MemoryStream();
        output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth; colour type 0 (grey), default compression, filter and interlace
        WriteChunk(output, "IHDR", header);

        using var pixels = new MemoryStream();
        using (var zlib = new ZLibStream(pixels, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[width + 1]; // filter byte 0, then one grey byte per pixel
            Array.Fill(row, (byte)0x80, 1, width);
            for (var y = 0; y < height; y++)
            {
                zlib.Write(row);
            }
        }

        WriteChunk(output, "IDAT", pixels.ToArray());
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    /// <summary>
    /// A baseline JPEG's structure (SOI, JFIF APP0, SOF0 with the size, SOS, entropy bytes, EOI). Enough for
    /// any JPEG header reader; the entropy-coded data is filler, not a picture.
    /// </summary>
    public static byte[] Jpeg(int width, int height)
    {
        using var output = new MemoryStream();
        output.Write([0xFF, 0xD8]);
        Segment(output, 0xE0, [.. "JFIF\0"u8, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        Segment(output, 0xC0, [8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 1, 1, 0x11, 0]);
        Segment(output, 0xDA, [1, 1, 0, 0, 63, 0]);
        output.Write(new byte[64]);
        output.Write([0xFF, 0xD9]);
        return output.ToArray();
    }

    /// <summary>A lossless (VP8L) WebP header of the given size in a RIFF container of the right length.</summary>
    public static byte[] WebPLossless(int width, int height)
    {
        var bits = (uint)(width - 1) | ((uint)(height - 1) << 14);
        var payload = new byte[5 + 16];
        payload[0] = 0x2F;
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(1), bits);
        return Riff("VP8L", payload);
    }

    /// <summary>A lossy (VP8) WebP key frame header of the given size.</summary>
    public static byte[] WebPLossy(int width, int height)
    {
        var payload = new byte[10 + 20];
        payload[0] = 0x10; // key frame, version 0, shown
        payload[3] = 0x9D;
        payload[4] = 0x01;
        payload[5] = 0x2A;
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(6), (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(8), (ushort)height);
        return Riff("VP8 ", payload);
    }

    /// <summary>An extended (VP8X) WebP header of the given canvas size.</summary>
    public static byte[] WebPExtended(int width, int height)
    {
        var payload = new byte[10];
        payload[4] = (byte)(width - 1);
        payload[5] = (byte)((width - 1) >> 8);
        payload[6] = (byte)((width - 1) >> 16);
        payload[7] = (byte)(height - 1);
        payload[8] = (byte)((height - 1) >> 8);
        payload[9] = (byte)((height - 1) >> 16);
        return Riff("VP8X", payload);
    }

    public static readonly byte[] SvgWithScript = Encoding.UTF8.GetBytes(
        """<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><script>alert(document.domain)</script><rect width="64" height="64"/></svg>""");

    public static readonly byte[] Html = Encoding.UTF8.GetBytes(
        """<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>""");

    /// <summary>A 1×1 GIF89a.</summary>
    public static readonly byte[] Gif = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        output.Write(typeAndData);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(typeAndData));
        output.Write(crc);
    }

    private static void Segment(Stream output, byte marker, byte[] data)
    {
        output.Write([0xFF, marker, (byte)((data.Length + 2) >> 8), (byte)(data.Length + 2)]);
        output.Write(data);
    }

    private static byte[] Riff(string chunk, byte[] payload)
    {
        var padded = payload.Length % 2 == 0 ? payload : [.. payload, 0];
        var file = new byte[12 + 8 + padded.Length];
        "RIFF"u8.CopyTo(file);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), (uint)(file.Length - 8));
        "WEBP"u8.CopyTo(file.AsSpan(8));
        Encoding.ASCII.GetBytes(chunk).CopyTo(file, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(16), (uint)payload.Length);
        padded.CopyTo(file, 20);
        return file;
    }
}
