using System.Net;
using System.Text.Json.Nodes;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.Console;

/// <summary>Issue 5: a browsable admin API reference in Development, and none in production.</summary>
public sealed class ApiReferenceTests
{
    [Fact]
    public async Task ApiReference_InDevelopment_ListsAdminEndpointsAsHtmlWithoutScript()
    {
        using var host = new OnePassHost();
        using var client = host.CreateProtocolClient();

        var response = await client.GetAsync("/openapi");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("GET /api/admin/logout-notifications", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ApiReference_InProduction_IsNotServed()
    {
        var issuer = new Uri("https://id.example.test/");
        using var host = new OnePassHost(new OnePassHostOptions
        {
            Environment = "Production",
            Seed = new JsonObject { ["users"] = new JsonArray(TestSeed.User(TestSeed.Citizen, "c1@example.test", "Kim Citizen")) },
            Settings = { ["OnePass:Issuer"] = issuer.ToString(), ["OnePass:RequireHttps"] = "false" },
        });
        using var client = host.CreateProtocolClient();

        var response = await client.GetAsync("/openapi");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
