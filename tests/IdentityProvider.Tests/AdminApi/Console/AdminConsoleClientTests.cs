using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.TestKit;
using OpenIddict.Abstractions;
using OtpNet;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Tests.AdminApi.Console;

/// <summary>A OnePass whose admin console runs at a configured address, with an administrator and a citizen who both use an authenticator app.</summary>
public sealed class AdminConsoleHostFixture : IDisposable
{
    public const string ConsoleUrl = "http://127.0.0.1:5999";
    public const string Redirect = ConsoleUrl + "/signin-oidc";
    public const string MfaAdmin = "console-admin";
    public const string MfaCitizen = "console-citizen";

    public AdminConsoleHostFixture()
    {
        Host = new OnePassHost(new OnePassHostOptions
        {
            Settings = { ["OnePass:AdminConsole:Url"] = ConsoleUrl },
            ConfigureSeed = seed =>
            {
                foreach (var (name, roles) in new[] { (MfaAdmin, new[] { "admin" }), (MfaCitizen, Array.Empty<string>()) })
                {
                    var user = TestSeed.User(name, $"{name}@example.test", name, roles);
                    user["totpSecret"] = Secrets[name] = Base32Encoding.ToString(TotpAuthenticator.NewSecret());
                    seed["users"]!.AsArray().Add(user);
                }
            },
        });
        Host.EnsureStarted();
    }

    public Dictionary<string, string> Secrets { get; } = [];

    public OnePassHost Host { get; }

    public void Dispose() => Host.Dispose();
}

/// <summary>
/// CONTRACT §1 and issue 5: OnePass registers its admin console as the first-party client onepass-admin
/// from configuration; the console's tokens carry the admin role only for administrators who signed in
/// with two factors, and the admin scope is never granted to anyone else.
/// </summary>
public sealed class AdminConsoleClientTests(AdminConsoleHostFixture fixture) : IClassFixture<AdminConsoleHostFixture>
{
    private const string ConsoleScope = "openid profile offline_access onepass.admin";

    private OnePassHost Host => fixture.Host;

    [Fact]
    public async Task Start_WithConsoleUrl_RegistersPublicFirstPartyClientUnderThatUrl()
    {
        var descriptor = new OpenIddictApplicationDescriptor();
        await Host.WithServicesAsync(async services =>
        {
            var applications = services.GetRequiredService<IOpenIddictApplicationManager>();
            var application = await applications.FindByClientIdAsync("onepass-admin");
            Assert.NotNull(application);
            await applications.PopulateAsync(descriptor, application);
        });

        Assert.Equal(ClientTypes.Public, descriptor.ClientType);
        Assert.Equal(ConsentTypes.Implicit, descriptor.ConsentType);
        Assert.Equal([new Uri(AdminConsoleHostFixture.Redirect)], descriptor.RedirectUris);
        Assert.Equal([new Uri(AdminConsoleHostFixture.ConsoleUrl + "/signout-callback-oidc")], descriptor.PostLogoutRedirectUris);
        Assert.Contains(Permissions.Prefixes.Scope + "onepass.admin", descriptor.Permissions);
        Assert.Contains(Requirements.Features.ProofKeyForCodeExchange, descriptor.Requirements);
        Assert.Equal("urn:onepass:loa:2", descriptor.Properties[AgencySettings.MinimumAcrProperty].GetString());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task ConsoleSignIn_AdministratorWithTwoFactors_GetsAdminRoleInIdTokenAndCanCallAdminApi()
    {
        var (tokens, idToken) = await SignInAsync(AdminConsoleHostFixture.MfaAdmin);

        Assert.Equal("urn:onepass:loa:2", idToken.GetProperty("acr").GetString());
        Assert.Equal("admin", RoleOf(idToken));
        Assert.Contains("onepass.admin", tokens["scope"]!.Split(' '));
        var call = await AdminApiHost.GetAsync(Host, "/api/admin/logout-notifications/summary", tokens["access_token"]);
        Assert.Equal(HttpStatusCode.OK, call.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task ConsoleSignIn_Citizen_IsNotGrantedAdminScopeAndGets403()
    {
        var (tokens, idToken) = await SignInAsync(AdminConsoleHostFixture.MfaCitizen);

        Assert.False(idToken.TryGetProperty("role", out _));
        Assert.DoesNotContain("onepass.admin", tokens["scope"]!.Split(' '));
        var call = await AdminApiHost.GetAsync(Host, "/api/admin/logout-notifications/summary", tokens["access_token"]);
        Assert.Equal(HttpStatusCode.Forbidden, call.Status);
    }

    [Fact]
    public async Task ConsoleSignIn_AdministratorWithoutSecondFactor_EndsInUnmetAuthenticationRequirements()
    {
        using var browser = Host.CreateBrowser();
        var request = new AuthorizationRequest("onepass-admin", AdminConsoleHostFixture.Redirect) { Scope = ConsoleScope };

        var response = await browser.AuthorizeAsync(request, (TestSeed.Admin, TestSeed.Password));

        Assert.Equal("unmet_authentication_requirements", response.Error);
    }

    [Fact]
    public async Task OpenApiDocument_IsServedAndDescribesOnlyTheAdminApi()
    {
        using var client = Host.CreateProtocolClient();

        var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(path => path.Name).ToList();
        Assert.Contains("/api/admin/logout-notifications", paths);
        Assert.All(paths, path => Assert.StartsWith("/api/admin/", path, StringComparison.Ordinal));
    }

    private async Task<(ProtocolResponse Tokens, JsonElement IdToken)> SignInAsync(string username)
    {
        using var browser = Host.CreateBrowser();
        var request = new AuthorizationRequest("onepass-admin", AdminConsoleHostFixture.Redirect) { Scope = ConsoleScope };
        bool AtConsole(Uri uri) => uri.ToString().StartsWith(AdminConsoleHostFixture.Redirect, StringComparison.Ordinal);

        var page = await browser.NavigateAsync(request.ToUrl(), AtConsole);
        page = await browser.SubmitAsync(page, new Dictionary<string, string> { ["username"] = username, ["password"] = TestSeed.Password }, stopAt: AtConsole);
        var code = new Totp(Base32Encoding.ToBytes(fixture.Secrets[username])).ComputeTotp(DateTime.UtcNow);
        page = await browser.SubmitAsync(page, new Dictionary<string, string> { ["code"] = code }, stopAt: AtConsole);
        Assert.True(page.StoppedAtRedirect, $"{page.Uri} {page.Status}");

        var tokens = await new TokenClient(Host.CreateProtocolClient())
            .RedeemCodeAsync("onepass-admin", null, page.RedirectParameters()["code"], request.CodeVerifier, AdminConsoleHostFixture.Redirect);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        var payload = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(Tokens.Read(tokens["id_token"]!).EncodedPayload);
        return (tokens, JsonDocument.Parse(payload).RootElement.Clone());
    }

    private static string? RoleOf(JsonElement idToken) => idToken.GetProperty("role") switch
    {
        { ValueKind: JsonValueKind.Array } roles => roles.EnumerateArray().Select(role => role.GetString()).Single(),
        var role => role.GetString(),
    };
}
