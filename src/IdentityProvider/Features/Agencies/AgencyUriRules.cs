using System.Net;
using System.Net.Sockets;

namespace OnePass.IdentityProvider.Features.Agencies;

/// <summary>
/// Rules for the URIs an agency registers (RFC 9700 §2.1, §4.1.3; CATALOGUE IN-AD-01, IN-AD-04):
/// absolute http(s), no fragment, wildcard or user-info; plain http and loopback only while HTTPS is
/// not required; never link-local or cloud-metadata addresses; for the logout URIs OnePass itself calls,
/// in Production, never private (RFC 1918, IPv6 unique-local) or loopback addresses either.
/// </summary>
public static class AgencyUriRules
{
    private static readonly string[] MetadataHosts = ["metadata.google.internal", "metadata", "instance-data", "metadata.azure.com"];

    /// <summary>Null when the URI is acceptable, else the reason.</summary>
    /// <param name="refusePrivateAddresses">Also refuse private and loopback addresses (logout URIs in Production).</param>
    public static string? Check(string? value, bool requireHttps, bool refusePrivateAddresses = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "is empty";
        }

        if (value.Length > 2000)
        {
            return "is longer than 2000 characters";
        }

        if (value.Contains('*', StringComparison.Ordinal))
        {
            return "contains a wildcard";
        }

        // "/path" parses as an absolute file: URI on Unix, so a scheme must be written out.
        if (!value.Contains(':', StringComparison.Ordinal) ||
            !Uri.TryCreate(value, UriKind.Absolute, out var uri) || value.Any(char.IsWhiteSpace) || value.Contains('\\', StringComparison.Ordinal))
        {
            return "is not an absolute URI";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            return $"uses the scheme '{uri.Scheme}'; only https (and http on loopback in development) are allowed";
        }

        if (value.Contains('#', StringComparison.Ordinal))
        {
            return "has a fragment";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "contains user information";
        }

        if (IsLinkLocalOrMetadata(uri))
        {
            return "points to a link-local or cloud-metadata address";
        }

        if (refusePrivateAddresses && (uri.IsLoopback || IsPrivate(uri)))
        {
            return "points to a private or loopback address, which OnePass does not call in Production";
        }

        if (requireHttps && uri.Scheme != Uri.UriSchemeHttps)
        {
            return "must use https";
        }

        if (requireHttps && uri.IsLoopback)
        {
            return "points to loopback, which is allowed only while OnePass__RequireHttps=false";
        }

        return null;
    }

    private static bool IsPrivate(Uri uri)
    {
        if (!IPAddress.TryParse(uri.IdnHost.TrimEnd('.').Trim('[', ']'), out var address))
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var bytes = address.GetAddressBytes();
            return bytes[0] == 10 || (bytes[0] == 172 && bytes[1] is >= 16 and <= 31) || (bytes[0] == 192 && bytes[1] == 168);
        }

        return address.IsIPv6UniqueLocal || address.IsIPv6SiteLocal;
    }

    private static bool IsLinkLocalOrMetadata(Uri uri)
    {
        var host = uri.IdnHost.TrimEnd('.');
        if (MetadataHosts.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var bytes = address.GetAddressBytes();
            return (bytes[0] == 169 && bytes[1] == 254) || // link-local, incl. 169.254.169.254
                   (bytes[0] == 100 && bytes[1] == 100 && bytes[2] == 100 && bytes[3] == 200) || // Alibaba metadata
                   address.Equals(IPAddress.Any);
        }

        return address.IsIPv6LinkLocal || address.Equals(IPAddress.Parse("fd00:ec2::254")) || address.Equals(IPAddress.IPv6Any);
    }
}
