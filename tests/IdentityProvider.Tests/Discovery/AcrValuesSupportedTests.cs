using System.Net;
using System.Text.Json;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Discovery;

/// <summary>Discovery lists the assurance levels an agency may ask for with <c>acr_values</c> (issue 4; CONTRACT §5).</summary>
public sealed class AcrValuesSupportedTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    /// <summary>The <c>acr</c> values of CONTRACT §5, written out here rather than taken from the product.</summary>
    private static readonly string[] ContractLevels = ["urn:onepass:loa:1", "urn:onepass:loa:2", "urn:onepass:loa:3"];

    [Fact]
    [Trait(Catalogue.Row, "IN-AZ-20")]
    public async Task Discovery_AcrValuesSupported_AreExactlyTheContractLevels()
    {
        using var http = fixture.Host.CreateProtocolClient();

        var response = await http.GetAsync("/.well-known/openid-configuration");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var discovery = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var listed = discovery.RootElement.GetProperty("acr_values_supported").EnumerateArray().Select(value => value.GetString()).ToList();
        Assert.Equal(ContractLevels.Length, listed.Count);
        Assert.Equal(ContractLevels, listed.Order(StringComparer.Ordinal));
    }
}
