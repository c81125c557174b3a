using System.Net;
using System.Text.Json.Nodes;

namespace OnePass.AdminConsole.Tests.Users;

public sealed class UserScreenTests : IClassFixture<ConsoleHost>
{
    private const string DetailsUrl = "/users/details/" + UserSamples.Id;
    private const string ApiUser = "/api/admin/users/" + UserSamples.Id;

    private readonly ConsoleHost _host;

    public UserScreenTests(ConsoleHost host)
    {
        _host = host;
        host.Api.Requests.Clear();
        host.Api.OnJson(HttpMethod.Get, ApiUser, UserSamples.Detail());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task List_WithSearchAndStatus_AsksTheApiAndLinksEachUser()
    {
        _host.Api.OnJson(HttpMethod.Get, "/api/admin/users", UserSamples.Page(UserSamples.Summary(status: "locked")));
        using var client = _host.Browser();

        using var response = await client.GetAsync("/users?search=chris&status=locked");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/api/admin/users?search=chris&status=locked&page=1&pageSize=50",
            _host.Api.Requests.Last(r => r.Uri.AbsolutePath == "/api/admin/users").Uri.PathAndQuery);
        var document = await ConsoleHost.ParseAsync(response);
        var link = document.QuerySelector("table a")!;
        Assert.Equal("citizen", link.TextContent);
        Assert.Equal(DetailsUrl, link.GetAttribute("href"));
        Assert.Contains("Locked", document.QuerySelector("table .badge")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task List_WithUnknownStatus_ShowsFieldErrorAndAsksNothing()
    {
        using var client = _host.Browser();

        using var response = await client.GetAsync("/users?status=deleted");

        var document = await ConsoleHost.ParseAsync(response);
        Assert.Contains("Choose a status", document.GetElementById("Status-error")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Status-error", document.GetElementById("Status")!.GetAttribute("aria-describedby"));
        Assert.DoesNotContain(_host.Api.Requests, r => r.Uri.AbsolutePath == "/api/admin/users");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Details_ShowsMethodsPasskeysSessionsConsentsAndSignIns()
    {
        using var client = _host.Browser();

        using var response = await client.GetAsync(DetailsUrl);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = (await ConsoleHost.ParseAsync(response)).Body!.TextContent;
        Assert.Contains("Enrolled", text, StringComparison.Ordinal);         // authenticator app
        Assert.Contains("Work laptop", text, StringComparison.Ordinal);      // passkey
        Assert.Contains("203.0.113.7", text, StringComparison.Ordinal);      // live session
        Assert.Contains("National Tax Service", text, StringComparison.Ordinal); // consent
        Assert.Contains("2026-11-27 03:59:00 UTC", text, StringComparison.Ordinal); // recent sign-in
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Details_DestructiveActions_AreLinksToConfirmationPages()
    {
        using var client = _host.Browser();

        using var response = await client.GetAsync(DetailsUrl);

        var document = await ConsoleHost.ParseAsync(response);
        var confirmations = document.QuerySelectorAll("a[href*='/users/confirm/']").Select(a => a.GetAttribute("href")!).ToList();
        Assert.Contains($"/users/confirm/{UserSamples.Id}/disable?version={UserSamples.Version}", confirmations);
        Assert.Contains($"/users/confirm/{UserSamples.Id}/reset-mfa?version={UserSamples.Version}", confirmations);
        Assert.Contains($"/users/confirm/{UserSamples.Id}/delete?version={UserSamples.Version}", confirmations);
        Assert.Contains($"/users/confirm/{UserSamples.Id}/end-session?session={UserSamples.SessionId}", confirmations);
        Assert.Contains($"/users/confirm/{UserSamples.Id}/end-all-sessions", confirmations);
        Assert.DoesNotContain(document.Forms, f => f.Method.Equals("post", StringComparison.OrdinalIgnoreCase) && !f.Action.EndsWith("/signout", StringComparison.Ordinal));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task ConfirmPage_Get_DescribesTheActionAndChangesNothing()
    {
        using var client = _host.Browser();

        using var response = await client.GetAsync($"/users/confirm/{UserSamples.Id}/disable?version={UserSamples.Version}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await ConsoleHost.ParseAsync(response);
        var form = document.Forms.Single(f => !f.Action.EndsWith("/signout", StringComparison.Ordinal));
        Assert.NotNull(form.QuerySelector("input[name='__RequestVerificationToken']"));
        Assert.Equal(UserSamples.Version, form.QuerySelector("input[name='Input.Version']")!.GetAttribute("value"));
        Assert.Contains("single logout", document.QuerySelector(".warning")!.TextContent, StringComparison.Ordinal);
        Assert.All(_host.Api.Requests, r => Assert.Equal(HttpMethod.Get, r.Method));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task ConfirmPage_PostWithoutAntiforgeryToken_IsRefusedAndCallsNoApi()
    {
        using var client = _host.Browser();
        using var form = new FormUrlEncodedContent([new("Input.Version", UserSamples.Version)]);

        using var response = await client.PostAsync($"/users/confirm/{UserSamples.Id}/delete", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(_host.Api.Requests, r => r.Method != HttpMethod.Get);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Disable_Confirmed_SendsTheVersionReadAndReturnsToTheUser()
    {
        _host.Api.OnJson(HttpMethod.Post, ApiUser + "/disable", UserSamples.Summary(status: "disabled"));
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, $"/users/confirm/{UserSamples.Id}/disable?version={UserSamples.Version}", new Dictionary<string, string[]>());

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(DetailsUrl, response.Headers.Location!.OriginalString);
        var sent = JsonNode.Parse(_host.Api.Requests.Last(r => r.Uri.AbsolutePath == ApiUser + "/disable").BodyText)!;
        Assert.Equal(UserSamples.Version, (string?)sent["version"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-07")]
    public async Task ResetMfa_WhenTheUserChangedMeanwhile_ShowsTheStaleVersionMessage()
    {
        _host.Api.OnJson(HttpMethod.Post, ApiUser + "/reset-mfa", UserSamples.StaleVersion, HttpStatusCode.Conflict);
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, $"/users/confirm/{UserSamples.Id}/reset-mfa?version=u-6", new Dictionary<string, string[]>());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await ConsoleHost.ParseAsync(response);
        Assert.Contains("changed by someone else", document.QuerySelector(".error-summary")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("u-6", document.QuerySelector("input[name='Input.Version']")!.GetAttribute("value"));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-07")]
    public async Task Delete_WhenTheApiRefusesForTheAccountsState_ShowsTheApiReason()
    {
        _host.Api.OnJson(HttpMethod.Delete, ApiUser,
            """{"error":"conflict","error_description":"You cannot delete your own account; another administrator must do it."}""", HttpStatusCode.Conflict);
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, $"/users/confirm/{UserSamples.Id}/delete?version={UserSamples.Version}", new Dictionary<string, string[]>());

        var summary = (await ConsoleHost.ParseAsync(response)).QuerySelector(".error-summary")!.TextContent;
        Assert.Contains("You cannot delete your own account", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("changed by someone else", summary, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Delete_Confirmed_SendsTheVersionInTheQueryAndReturnsToTheList()
    {
        _host.Api.On(HttpMethod.Delete, ApiUser, _ => new HttpResponseMessage(HttpStatusCode.NoContent));
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, $"/users/confirm/{UserSamples.Id}/delete?version={UserSamples.Version}", new Dictionary<string, string[]>());

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/users", response.Headers.Location!.OriginalString);
        Assert.Equal($"{ApiUser}?version={UserSamples.Version}", _host.Api.Requests.Last(r => r.Method == HttpMethod.Delete).Uri.PathAndQuery);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task EndSession_Confirmed_EndsThatSessionOnly()
    {
        _host.Api.On(HttpMethod.Delete, ApiUser + "/sessions/" + UserSamples.SessionId, _ => new HttpResponseMessage(HttpStatusCode.NoContent));
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, $"/users/confirm/{UserSamples.Id}/end-session?session={UserSamples.SessionId}", new Dictionary<string, string[]>());

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Single(_host.Api.Requests, r => r.Method == HttpMethod.Delete && r.Uri.AbsolutePath == ApiUser + "/sessions/" + UserSamples.SessionId);
        Assert.DoesNotContain(_host.Api.Requests, r => r.Method == HttpMethod.Delete && r.Uri.AbsolutePath == ApiUser + "/sessions");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task EndSession_ForASessionNotInTheUsersList_IsNotFound()
    {
        using var client = _host.Browser();

        using var response = await client.GetAsync($"/users/confirm/{UserSamples.Id}/end-session?session=s_someone_else");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task EndAllSessions_Confirmed_EndsEverySession()
    {
        _host.Api.OnJson(HttpMethod.Delete, ApiUser + "/sessions", """{"ended":1}""");
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, $"/users/confirm/{UserSamples.Id}/end-all-sessions", new Dictionary<string, string[]>());

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Single(_host.Api.Requests, r => r.Method == HttpMethod.Delete && r.Uri.AbsolutePath == ApiUser + "/sessions");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Enable_OnADisabledUser_PostsTheVersionFromTheDetailsPage()
    {
        _host.Api.OnJson(HttpMethod.Get, ApiUser, UserSamples.Detail(status: "disabled"));
        _host.Api.OnJson(HttpMethod.Post, ApiUser + "/enable", UserSamples.Summary());
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, DetailsUrl, new Dictionary<string, string[]>(), handler: "Enable");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var sent = JsonNode.Parse(_host.Api.Requests.Last(r => r.Uri.AbsolutePath == ApiUser + "/enable").BodyText)!;
        Assert.Equal(UserSamples.Version, (string?)sent["version"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-07")]
    public async Task Unlock_WhenStale_ShowsTheStaleVersionMessageOnTheDetailsPage()
    {
        _host.Api.OnJson(HttpMethod.Get, ApiUser, UserSamples.Detail(status: "locked"));
        _host.Api.OnJson(HttpMethod.Post, ApiUser + "/unlock", UserSamples.StaleVersion, HttpStatusCode.Conflict);
        using var client = _host.Browser();

        using var response = await ConsoleHost.SubmitAsync(client, DetailsUrl, new Dictionary<string, string[]>(), handler: "Unlock");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("changed by someone else", (await ConsoleHost.ParseAsync(response)).QuerySelector(".error-summary")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-02")]
    [Trait(Catalogue.Row, "AT-24")]
    public async Task Details_WithHostileStrings_ShowsThemAsText()
    {
        const string script = "<script>alert(1)</script>";
        const string image = "\"><img src=x onerror=alert(1)>";
        _host.Api.OnJson(HttpMethod.Get, ApiUser, UserSamples.Detail(username: script, name: image, consentAgency: script, userAgent: image, passkeyName: script));
        using var client = _host.Browser();

        using var response = await client.GetAsync(DetailsUrl);

        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>alert", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img src=x", html, StringComparison.OrdinalIgnoreCase);
        var document = await ConsoleHost.ParseAsync(response);
        Assert.Equal("User " + script, document.QuerySelector("h1")!.TextContent);
        Assert.Empty(document.QuerySelectorAll("img[onerror]"));
    }
}
