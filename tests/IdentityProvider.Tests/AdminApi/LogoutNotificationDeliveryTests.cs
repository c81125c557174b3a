using System.Net;
using System.Text.Json;
using OnePass.IdentityProvider.Tests.Sessions;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi;

/// <summary>
/// Issue 3, "delivery status visible through the admin API", end to end: a citizen signs out, the
/// dispatcher calls the agencies (one retried, one refusing), and an administrator reads the outcome
/// (CATALOGUE FT-16).
/// </summary>
public sealed class LogoutNotificationDeliveryTests : IAsyncLifetime
{
    private SingleLogoutHost _sso = null!;

    public async Task InitializeAsync()
    {
        _sso = await SingleLogoutHost.StartAsync((seed, _) => AdminApiHost.AddTool(seed));
    }

    public async Task DisposeAsync() => await _sso.DisposeAsync();

    [Fact]
    [Trait(Catalogue.Row, "FT-16")]
    public async Task EndSession_ThenAdminApi_ShowsRetriedDeliveryAndRefusal()
    {
        _sso.Receiver.AnswerNext("tax", 503); // then 200: delivered at the second attempt
        _sso.Receiver.AnswerNext("health", 400); // a refusal is not retried
        using var browser = _sso.Host.CreateBrowser();
        var idToken = (await _sso.SignInThroughAsync(browser, Agency.Tax))["id_token"]!;
        await _sso.SignInThroughAsync(browser, Agency.Health);
        var adminToken = (await AdminApiHost.Tool.TokensAsync(_sso.Host, TestSeed.Admin))["access_token"]!;

        await SingleLogoutHost.EndSessionAsync(browser, idToken);
        var tax = await WaitForStatusAsync(adminToken, TestSeed.TaxClient, "delivered");
        var health = await WaitForStatusAsync(adminToken, TestSeed.HealthClient, "failed");

        Assert.Equal(2, tax.GetProperty("attempts").GetInt32());
        Assert.Equal(200, tax.GetProperty("lastStatusCode").GetInt32());
        Assert.Equal(JsonValueKind.String, tax.GetProperty("deliveredAt").ValueKind);
        Assert.Equal("SignedOut", tax.GetProperty("reason").GetString());
        Assert.Equal(1, health.GetProperty("attempts").GetInt32());
        Assert.Equal(400, health.GetProperty("lastStatusCode").GetInt32());
        Assert.Equal("The agency answered 400.", health.GetProperty("lastError").GetString());
        Assert.Equal(JsonValueKind.Null, health.GetProperty("deliveredAt").ValueKind);
    }

    /// <summary>Polls the admin API until the agency's newest row has the status (delivery runs in the background).</summary>
    private async Task<JsonElement> WaitForStatusAsync(string adminToken, string clientId, string status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        string last;
        do
        {
            var response = await AdminApiHost.GetAsync(_sso.Host, $"/api/admin/logout-notifications?clientId={clientId}&limit=1", adminToken);
            Assert.True(response.Status == HttpStatusCode.OK, response.Body);
            last = response.Body;
            if (response.Json.GetProperty("items").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } item &&
                item.GetProperty("status").GetString() == status)
            {
                return item.Clone();
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        throw new TimeoutException($"No {status} notification for {clientId}: {last}");
    }
}
