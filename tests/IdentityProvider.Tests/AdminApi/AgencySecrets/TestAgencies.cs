using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Data;
using OnePass.TestKit;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Tests.AdminApi.AgencySecrets;

/// <summary>
/// Agencies made for one test each, straight through OpenIddict's application manager (not through the
/// admin API's create endpoint), and small helpers around them.
/// </summary>
public static class TestAgencies
{
    /// <summary>A confidential machine client (client_credentials only) with <paramref name="secret"/>; returns its client id.</summary>
    public static async Task<string> CreateMachineAsync(OnePassHost host, string prefix, string secret)
    {
        var clientId = AdminApiHost.UniqueClientId(prefix);
        await host.WithServicesAsync(async services =>
        {
            var applications = services.GetRequiredService<IOpenIddictApplicationManager>();
            await applications.CreateAsync(new OpenIddictApplicationDescriptor
            {
                ClientId = clientId,
                ClientSecret = secret,
                ClientType = ClientTypes.Confidential,
                DisplayName = "Test machine " + prefix,
                Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
            });
        });
        return clientId;
    }

    /// <summary>The agency's current <c>version</c> (OpenIddict's concurrency token).</summary>
    public static Task<string> VersionAsync(OnePassHost host, string clientId) => host.WithDatabaseAsync(async db =>
        (await db.Set<OpenIddictEntityFrameworkCoreApplication<Guid>>().AsNoTracking().SingleAsync(a => a.ClientId == clientId)).ConcurrencyToken!);

    /// <summary>A client_credentials token request with the given secret.</summary>
    public static Task<ProtocolResponse> ClientCredentialsAsync(OnePassHost host, string clientId, string secret) =>
        new TokenClient(host.CreateProtocolClient()).ClientCredentialsAsync(clientId, secret);

    /// <summary>The admin changes recorded for one agency, oldest first.</summary>
    public static Task<List<AdminChange>> ChangesAsync(OnePassHost host, string clientId) => host.WithDatabaseAsync(async db =>
        (await db.AdminChanges.AsNoTracking().Where(c => c.TargetType == "agency" && c.TargetId == clientId).ToListAsync())
            .OrderBy(c => c.Time).ToList());

    /// <summary>Any call with a bearer token and a raw body.</summary>
    public static async Task<ProtocolResponse> SendAsync(
        OnePassHost host, HttpMethod method, string path, string? accessToken, HttpContent? content = null,
        Action<HttpRequestMessage>? configure = null)
    {
        using var client = host.CreateProtocolClient();
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        configure?.Invoke(request);
        return await ProtocolResponse.ReadAsync(await client.SendAsync(request));
    }
}
