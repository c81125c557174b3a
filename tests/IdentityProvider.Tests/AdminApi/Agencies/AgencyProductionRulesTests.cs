using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Features.AdminApi.Agencies;
using OnePass.IdentityProvider.Infrastructure;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.Agencies;

/// <summary>
/// The registration rules as a Production deployment applies them (OnePass__RequireHttps=true): https
/// everywhere, no loopback, and logout URIs that OnePass calls never to private addresses (CATALOGUE
/// IN-AD-01, IN-AD-04). The admin API's own validator runs against a test host's database with the
/// Production environment and settings handed in.
/// </summary>
public sealed class AgencyProductionRulesTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    [Theory]
    [InlineData("http://agency.example.test/signin-oidc", "https")]
    [InlineData("https://127.0.0.1:7001/signin-oidc", "loopback")]
    [InlineData("https://localhost/signin-oidc", "loopback")]
    [Trait(Catalogue.Row, "IN-AD-01")]
    public async Task Validate_InProduction_RefusesPlainHttpAndLoopbackRedirects(string uri, string word)
    {
        var errors = await ValidateAsync(input => input with { RedirectUris = [uri] });

        Assert.Contains(errors["redirectUris[0]"], message => message.Contains(word, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://10.0.0.5/bcl")]
    [InlineData("https://172.16.1.1/bcl")]
    [InlineData("https://192.168.1.10/bcl")]
    [InlineData("https://[fd00::1]/bcl")]
    [InlineData("https://localhost/bcl")]
    [InlineData("http://agency.example.test/bcl")]
    [InlineData("https://169.254.169.254/bcl")]
    [Trait(Catalogue.Row, "IN-AD-04")]
    public async Task Validate_InProduction_RefusesBackChannelLogoutToPrivateAddresses(string uri)
    {
        var errors = await ValidateAsync(input => input with { BackchannelLogoutUri = uri });

        Assert.True(errors.ContainsKey("backchannelLogoutUri"), string.Join(" | ", errors.Keys));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-04")]
    public async Task Validate_InProduction_RefusesFrontChannelLogoutToPrivateAddress()
    {
        var errors = await ValidateAsync(input => input with { FrontchannelLogoutUri = "https://192.168.0.1/fcl" });

        Assert.Contains(errors["frontchannelLogoutUri"], message => message.Contains("private", StringComparison.Ordinal));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-01")]
    public async Task Validate_InProduction_AcceptsHttpsOnPublicHosts()
    {
        var errors = await ValidateAsync(input => input);

        Assert.Empty(errors);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-04")]
    public async Task Validate_InDevelopment_AcceptsPrivateBackChannelLogout()
    {
        var errors = await ValidateAsync(input => input with { BackchannelLogoutUri = "http://10.0.0.5/bcl" }, production: false);

        Assert.Empty(errors);
    }

    private async Task<Dictionary<string, string[]>> ValidateAsync(Func<AgencyInput, AgencyInput> change, bool production = true)
    {
        var input = change(new AgencyInput
        {
            ClientId = AgencyApi.UniqueClientId("prod"),
            ClientType = AgencyValidator.Confidential,
            DisplayName = "Land Registry",
            RedirectUris = ["https://land.example.test/signin-oidc"],
            BackchannelLogoutUri = "https://land.example.test/bcl",
        });
        Dictionary<string, string[]>? errors = null;
        await fixture.Host.WithServicesAsync(async services =>
        {
            var validator = ActivatorUtilities.CreateInstance<AgencyValidator>(services,
                Options.Create(new OnePassOptions { RequireHttps = production }), new TestEnvironment(production ? Environments.Production : Environments.Development));
            errors = await validator.ValidateCreateAsync(input, CancellationToken.None);
        });
        return errors!;
    }

    private sealed class TestEnvironment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "OnePass.IdentityProvider";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
