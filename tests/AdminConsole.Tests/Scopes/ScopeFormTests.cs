using System.Net;

namespace OnePass.AdminConsole.Tests.Scopes;

public sealed class ScopeFormTests : IClassFixture<ConsoleHost>
{
    private readonly ConsoleHost _host;

    public ScopeFormTests(ConsoleHost host)
    {
        _host = host;
        host.Api.OnJson(HttpMethod.Get, "/api/admin/scopes", Samples.Scopes);
        host.Api.OnJson(HttpMethod.Get, "/api/admin/scopes/tax.read", Samples.CustomScope);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-07")]
    public async Task Delete_WhenAnAgencyStillUsesTheScope_ShowsTheApiReason()
    {
        _host.Api.OnJson(HttpMethod.Delete, "/api/admin/scopes/tax.read",
            """{"error":"conflict","error_description":"The scope tax.read is still allowed for agency-tax."}""", HttpStatusCode.Conflict);
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, "/scopes/delete/tax.read", new Dictionary<string, string[]>());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await ConsoleHost.ParseAsync(response);
        Assert.Contains("The scope tax.read is still allowed for agency-tax.", document.QuerySelector(".error-summary")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("/api/admin/scopes/tax.read?version=s1", _host.Api.Requests.Last(r => r.Method == HttpMethod.Delete).Uri.PathAndQuery);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-01")]
    public async Task Create_WhenApiRefusesTheName_ShowsTheErrorBesideTheName()
    {
        _host.Api.OnJson(HttpMethod.Post, "/api/admin/scopes",
            """{"error":"invalid_request","error_description":"Some fields are invalid: name.","errors":{"name":["openid is a built-in scope."]}}""",
            HttpStatusCode.BadRequest);
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, "/scopes/create", new Dictionary<string, string[]>
        {
            ["Input.Name"] = ["openid"],
            ["Input.Description"] = ["Anything"],
        });

        var document = await ConsoleHost.ParseAsync(response);
        Assert.Contains("openid is a built-in scope.", document.GetElementById("Input_Name-error")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Anything", document.GetElementById("Input_Description")!.TextContent);
    }
}
