using System.Diagnostics;
using System.Globalization;
using System.Text;
using OnePass.IdentityProvider.Features.Mfa;
using OtpNet;

namespace OnePass.IdentityProvider.Tests.Mfa;

/// <summary>The TOTP arithmetic OnePass relies on, checked against RFC 6238 and an independent implementation.</summary>
public sealed class TotpCodeTests
{
    private static readonly byte[] RfcSecret = Encoding.ASCII.GetBytes("12345678901234567890");

    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void OtpNet_Sha1_MatchesRfc6238TestVectors(long unixSeconds, string expected)
    {
        var code = new Totp(RfcSecret, totpSize: 8).ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime);

        Assert.Equal(expected, code);
    }

    [Theory]
    [InlineData("2026-11-27T10:00:00Z")]
    [InlineData("2030-01-01T00:00:29Z")]
    [InlineData("2001-09-09T01:46:40Z")]
    public async Task OtpNet_AgreesWithDebiansOathtool(string instant)
    {
        var secret = TotpAuthenticator.NewSecret();
        var time = DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture);

        var ours = new Totp(secret).ComputeTotp(time.UtcDateTime);
        var theirs = await OathtoolAsync(TotpAuthenticator.Base32(secret), time);

        Assert.Equal(theirs, ours);
    }

    [Theory]
    [InlineData("123456", true)]
    [InlineData("", false)]
    [InlineData("12345", false)]
    [InlineData("1234567", false)]
    [InlineData("12a456", false)]
    [InlineData("１２３４５６", false)] // full-width digits
    public void IsWellFormed_AcceptsExactlySixAsciiDigits(string code, bool expected) =>
        Assert.Equal(expected, TotpAuthenticator.IsWellFormed(code));

    private static async Task<string> OathtoolAsync(string base32, DateTimeOffset time)
    {
        // oathtool is installed by ./test.sh; a missing one fails the test (never a skip).
        var start = new ProcessStartInfo("oathtool")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--totp", "-b", base32, "--now", time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("oathtool did not start.");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
        return output.Trim();
    }
}
