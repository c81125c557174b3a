using System.Net;
using System.Text.Json.Nodes;

namespace OnePass.AdminConsole.Tests.Agencies;

/// <summary>The agency forms: the API's verdicts (field errors, conflicts, the one-time secret) as the administrator sees them.</summary>
public sealed class AgencyFormTests : IClassFixture<ConsoleHost>
{
    private const string Secret = "s3cr3t-0123456789-abcdefghijklmnopqrstuvwxyz";
    private readonly ConsoleHost _host;

    public AgencyFormTests(ConsoleHost host)
    {
        _host = host;
        host.Api.OnJson(HttpMethod.Get, "/api/admin/scopes", Samples.Scopes);
        host.Api.OnJson(HttpMethod.Get, "/api/admin/agencies/agency-tax", Samples.Agency());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-01")]
    public async Task Create_WhenApiRefusesFields_ShowsEachErrorBesideItsField()
    {
        _host.Api.OnJson(HttpMethod.Post, "/api/admin/agencies", """
            {"error":"invalid_request","error_description":"Some fields are invalid: redirectUris[1], displayName.",
             "errors":{"redirectUris[1]":["A redirect URI must not contain a fragment (#)."],"displayName":["The display name is required."]}}
            """, HttpStatusCode.BadRequest);
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, "/agencies/create", new Dictionary<string, string[]>
        {
            ["Input.ClientId"] = ["agency-new"],
            ["Input.DisplayName"] = [""],
            ["Input.RedirectUris"] = ["https://new.example/signin-oidc\nhttps://new.example/cb#frag"],
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await ConsoleHost.ParseAsync(response);
        var redirectError = document.GetElementById("Input_RedirectUris-error");
        Assert.NotNull(redirectError);
        Assert.Contains("Line 2 (https://new.example/cb#frag): A redirect URI must not contain a fragment (#).", redirectError.TextContent, StringComparison.Ordinal);
        var textarea = document.GetElementById("Input_RedirectUris")!;
        Assert.Equal("true", textarea.GetAttribute("aria-invalid"));
        Assert.Contains("Input_RedirectUris-error", textarea.GetAttribute("aria-describedby")!.Split(' '));
        Assert.Contains("The display name is required.", document.GetElementById("Input_DisplayName-error")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Input_DisplayName-error", document.GetElementById("Input_DisplayName")!.GetAttribute("aria-describedby")!.Split(' '));
        Assert.NotNull(document.QuerySelector(".error-summary a[href='#Input_RedirectUris']"));
        Assert.Equal("agency-new", document.GetElementById("Input_ClientId")!.GetAttribute("value"));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-01")]
    public async Task Create_SendsTheFormAsTheApiBody()
    {
        _host.Api.OnJson(HttpMethod.Post, "/api/admin/agencies", Samples.Agency("agency-body", clientType: "public"), HttpStatusCode.Created);
        _host.Api.OnJson(HttpMethod.Get, "/api/admin/agencies/agency-body", Samples.Agency("agency-body", clientType: "public"));
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, "/agencies/create", new Dictionary<string, string[]>
        {
            ["Input.ClientId"] = ["agency-body"],
            ["Input.ClientType"] = ["public"],
            ["Input.DisplayName"] = ["Body Agency"],
            ["Input.RedirectUris"] = [" https://body.example/a \r\n\r\nhttps://body.example/b"],
            ["Input.Scopes"] = ["openid", "tax.read"],
            ["Input.MinimumAcr"] = ["urn:onepass:loa:3"],
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/agencies/details/agency-body", response.Headers.Location!.OriginalString);
        var sent = JsonNode.Parse(_host.Api.Requests.Last(r => r.Method == HttpMethod.Post && r.Uri.AbsolutePath == "/api/admin/agencies").BodyText)!;
        Assert.Equal("agency-body", sent["clientId"]!.GetValue<string>());
        Assert.Equal("public", sent["clientType"]!.GetValue<string>());
        Assert.Equal(["https://body.example/a", "https://body.example/b"], sent["redirectUris"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["openid", "tax.read"], sent["scopes"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("urn:onepass:loa:3", sent["minimumAcr"]!.GetValue<string>());
        Assert.True(sent["requirePkce"]!.GetValue<bool>());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-07")]
    public async Task Edit_WhenApiAnswersConflict_ShowsStaleVersionMessageAndKeepsInput()
    {
        _host.Api.OnJson(HttpMethod.Put, "/api/admin/agencies/agency-tax",
            """{"error":"conflict","error_description":"The agency changed since version v1-3fa1."}""", HttpStatusCode.Conflict);
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, "/agencies/edit/agency-tax", new Dictionary<string, string[]>
        {
            ["Input.DisplayName"] = ["My unsaved name"],
            ["Input.ContactEmail"] = ["new-contact@tax.example"],
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await ConsoleHost.ParseAsync(response);
        Assert.Contains("This record was changed by someone else since you opened it. Reload to see the current version.",
            document.QuerySelector(".error-summary")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("My unsaved name", document.GetElementById("Input_DisplayName")!.GetAttribute("value"));
        Assert.Equal("new-contact@tax.example", document.GetElementById("Input_ContactEmail")!.GetAttribute("value"));
        var put = _host.Api.Requests.Last(r => r.Method == HttpMethod.Put);
        Assert.Equal(Samples.Version, JsonNode.Parse(put.BodyText)!["version"]!.GetValue<string>());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task Create_ConfidentialClient_ShowsTheSecretOnceWithCopyButtonAndNeverInAUrl()
    {
        _host.Api.OnJson(HttpMethod.Post, "/api/admin/agencies",
            Samples.Agency("agency-secret").TrimEnd('}') + $",\"clientSecret\":\"{Secret}\"}}", HttpStatusCode.Created);
        _host.Api.OnJson(HttpMethod.Get, "/api/admin/agencies/agency-secret", Samples.Agency("agency-secret"));
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, "/agencies/create", new Dictionary<string, string[]>
        {
            ["Input.ClientId"] = ["agency-secret"],
            ["Input.DisplayName"] = ["Secret Agency"],
            ["Input.RedirectUris"] = ["https://secret.example/signin-oidc"],
        });
        using var details = await client.GetAsync("/agencies/details/agency-secret");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.Location);
        var document = await ConsoleHost.ParseAsync(response);
        Assert.Equal(Secret, document.GetElementById("client-secret")!.TextContent.Trim());
        Assert.Equal("agency-secret", document.GetElementById("client-id")!.TextContent.Trim());
        Assert.Equal("button", document.GetElementById("copy-secret")!.GetAttribute("type"));
        Assert.Contains(document.QuerySelectorAll("script[src]"), s => s.GetAttribute("src")!.StartsWith("/js/copy-secret.js", StringComparison.Ordinal));
        Assert.Contains("will not be shown again", document.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, await details.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.All(response.Headers.Concat(response.Content.Headers), header =>
            Assert.DoesNotContain(header.Value, value => value.Contains(Secret, StringComparison.Ordinal)));
        Assert.All(document.QuerySelectorAll("[href]"), link => Assert.DoesNotContain(Secret, link.GetAttribute("href")!, StringComparison.Ordinal));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task RotateSecret_ShowsTheNewSecretInTheAnswerWithTheOverlapSent()
    {
        _host.Api.OnJson(HttpMethod.Post, "/api/admin/agencies/agency-tax/secret", $$"""{"clientSecret":"{{Secret}}","version":"v2"}""");
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, "/agencies/details/agency-tax",
            new Dictionary<string, string[]> { ["OverlapHours"] = ["48"] }, handler: "Rotate");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await ConsoleHost.ParseAsync(response);
        Assert.Equal(Secret, document.GetElementById("client-secret")!.TextContent.Trim());
        Assert.NotNull(document.GetElementById("copy-secret"));
        var sent = JsonNode.Parse(_host.Api.Requests.Last(r => r.Uri.AbsolutePath == "/api/admin/agencies/agency-tax/secret").BodyText)!;
        Assert.Equal(48, sent["overlapHours"]!.GetValue<int>());
        Assert.Equal(Samples.Version, sent["version"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/agencies")]
    [InlineData("/agencies/details/agency-xss")]
    [InlineData("/agencies/edit/agency-xss")]
    [InlineData("/agencies/delete/agency-xss")]
    [Trait(Catalogue.Row, "IN-AD-02")]
    [Trait(Catalogue.Row, "AT-24")]
    public async Task DisplayNameWithScript_IsRenderedAsText(string path)
    {
        const string Name = "<script>alert(1)</script>";
        _host.Api.OnJson(HttpMethod.Get, "/api/admin/agencies", Samples.AgencyPage(Samples.Agency("agency-xss", Name)));
        _host.Api.OnJson(HttpMethod.Get, "/api/admin/agencies/agency-xss", Samples.Agency("agency-xss", Name));
        using var client = _host.Browser();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>alert(1)", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        var document = await ConsoleHost.ParseAsync(response);
        Assert.All(document.QuerySelectorAll("script"), script => Assert.False(string.IsNullOrEmpty(script.GetAttribute("src"))));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-03")]
    public async Task LogoUpload_SendsTheRawBytesWithTheImageContentType()
    {
        _host.Api.On(HttpMethod.Put, "/api/admin/agencies/agency-tax/logo", _ => new HttpResponseMessage(HttpStatusCode.NoContent));
        using var client = _host.Browser();
        using var page = await client.GetAsync("/agencies/logo/agency-tax");
        var document = await ConsoleHost.ParseAsync(page);
        var form = document.QuerySelector("form[enctype='multipart/form-data']")!;
        var token = form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];
        using var content = new MultipartFormDataContent();
        content.Add(new StringContent(token), "__RequestVerificationToken");
        var file = new ByteArrayContent(png);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        content.Add(file, "Upload", "logo.png");

        using var response = await client.PostAsync(form.GetAttribute("action"), content);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var sent = _host.Api.Requests.Last(r => r.Method == HttpMethod.Put && r.Uri.AbsolutePath.EndsWith("/logo", StringComparison.Ordinal));
        Assert.Equal("image/png", sent.ContentType);
        Assert.Equal(png, sent.Body);
    }
}
