using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OnePass.TestKit;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;

namespace OnePass.IdentityProvider.Tests.Validation;

/// <summary>
/// GHSA-cxgj-hwwh-855g (OpenIddict &lt; 7.9): the validation stack must check the token entry and the
/// authorization entry, so a revoked token or a revoked authorization is refused. A probe endpoint,
/// added only in this test host, authenticates with the product's own validation configuration.
/// </summary>
public sealed class ValidationStackTests : IDisposable
{
    private const string ProbePath = "/test/validation-probe";

    private readonly OnePassHost _host = new(new OnePassHostOptions
    {
        ConfigureServices = services => services.AddSingleton<IStartupFilter, ProbeStartupFilter>(),
    });

    [Fact]
    public async Task ValidationStack_WithLiveAccessToken_Authenticates()
    {
        var (accessToken, _) = await IssueAsync();

        Assert.Equal(HttpStatusCode.OK, await ProbeAsync(accessToken));
    }

    [Fact]
    public async Task ValidationStack_AfterTokenRevocation_RefusesToken()
    {
        var (accessToken, _) = await IssueAsync();
        var revoked = await new TokenClient(_host.CreateProtocolClient()).RevokeAsync(TestSeed.HealthClient, TestSeed.HealthSecret, accessToken);
        Assert.Equal(HttpStatusCode.OK, revoked.Status);

        Assert.Equal(HttpStatusCode.Unauthorized, await ProbeAsync(accessToken));
    }

    [Fact]
    public async Task ValidationStack_AfterAuthorizationRevocation_RefusesToken()
    {
        var (accessToken, authorizationId) = await IssueAsync();
        await _host.WithServicesAsync(async services =>
        {
            var authorizations = services.GetRequiredService<IOpenIddictAuthorizationManager>();
            var authorization = await authorizations.FindByIdAsync(authorizationId);
            Assert.True(await authorizations.TryRevokeAsync(authorization!));
        });

        Assert.Equal(HttpStatusCode.Unauthorized, await ProbeAsync(accessToken));
    }

    private async Task<(string AccessToken, string AuthorizationId)> IssueAsync()
    {
        using var browser = _host.CreateBrowser();
        var request = new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect);
        var response = await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password));
        var tokens = await new TokenClient(_host.CreateProtocolClient())
            .RedeemCodeAsync(TestSeed.HealthClient, TestSeed.HealthSecret, response.Code!, request.CodeVerifier, TestSeed.HealthRedirect);
        var accessToken = tokens["access_token"]!;
        var introspection = await new TokenClient(_host.CreateProtocolClient()).IntrospectAsync(TestSeed.HealthClient, TestSeed.HealthSecret, accessToken);
        Assert.Equal("true", introspection["active"]);

        // The authorization id is not in the (encrypted) access token for the agency; find it from the ID token.
        var idToken = Tokens.Read(tokens["id_token"]!);
        return (accessToken, idToken.GetClaim("oi_au_id").Value);
    }

    private async Task<HttpStatusCode> ProbeAsync(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ProbePath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await _host.CreateProtocolClient().SendAsync(request);
        return response.StatusCode;
    }

    public void Dispose() => _host.Dispose();

    private sealed class ProbeStartupFilter : IStartupFilter
    {
        // Added after the app's own pipeline, so authentication has run (no endpoint matches this path).
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Map(ProbePath, probe => probe.Run(async context =>
            {
                var result = await context.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
                context.Response.StatusCode = result.Succeeded ? StatusCodes.Status200OK : StatusCodes.Status401Unauthorized;
            }));
        };
    }
}
