using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.TestKit;
using OpenIddict.Abstractions;

namespace OnePass.IdentityProvider.Tests.AdminApi.Users;

/// <summary>
/// Users through the admin API (issue 5 item 1; docs/admin-api.md "Users"): search, view, disable/enable,
/// unlock, reset MFA, delete; the version check (409, nothing written), the change-log rows, and that the
/// effects are real: a disabled or deleted user's tokens stop at userinfo and their browser must sign in
/// again; after a reset the password alone signs in. Each test makes users of its own, so tests share a host.
/// </summary>
public sealed class UserEndpointTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    private OnePassHost Host => fixture.Host;

    // --- list ---------------------------------------------------------------------------------------

    [Fact]
    public async Task List_SearchByEmailFragmentWithPaging_ReturnsMatchingUsersInPages()
    {
        var tag = Tag();
        var (first, _) = await CreateUserAsync("a", email: $"one-{tag}@example.test");
        var (second, _) = await CreateUserAsync("b", email: $"two-{tag}@example.test");

        var all = await SendAsync(HttpMethod.Get, $"/api/admin/users?search={tag}");
        var page2 = await SendAsync(HttpMethod.Get, $"/api/admin/users?search={tag.ToUpperInvariant()}&page=2&pageSize=1");

        Assert.Equal(HttpStatusCode.OK, all.Status);
        Assert.Equal(2, all.Json.GetProperty("total").GetInt32());
        Assert.Equal([first, second], Items(all).Select(item => item.GetProperty("id").GetGuid()));
        Assert.Equal(2, page2.Json.GetProperty("total").GetInt32());
        Assert.Equal(2, page2.Json.GetProperty("page").GetInt32());
        Assert.Equal(1, page2.Json.GetProperty("pageSize").GetInt32());
        Assert.Equal(second, Assert.Single(Items(page2)).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task List_SearchByName_MatchesCaseInsensitively()
    {
        var tag = Tag();
        var (id, _) = await CreateUserAsync("n", name: $"Robin Q{tag}");

        var response = await SendAsync(HttpMethod.Get, $"/api/admin/users?search=robin%20q{tag}");

        var item = Assert.Single(Items(response));
        Assert.Equal(id, item.GetProperty("id").GetGuid());
        Assert.Equal("active", item.GetProperty("status").GetString());
        Assert.False(item.TryGetProperty("passwordHash", out _));
        Assert.False(item.TryGetProperty("securityStamp", out _));
    }

    [Fact]
    public async Task List_StatusFilter_SeparatesActiveLockedAndDisabled()
    {
        var tag = Tag();
        var (active, _) = await CreateUserAsync("act", email: $"act-{tag}@example.test");
        var (locked, _) = await CreateUserAsync("lck", email: $"lck-{tag}@example.test");
        var (disabled, _) = await CreateUserAsync("dis", email: $"dis-{tag}@example.test");
        await ChangeUserAsync(locked, user => user.LockoutEnd = DateTimeOffset.UtcNow.AddMinutes(15));
        await ChangeUserAsync(disabled, user => user.LockoutEnd = DateTimeOffset.MaxValue);

        async Task<Guid> OnlyAsync(string status) =>
            Assert.Single(Items(await SendAsync(HttpMethod.Get, $"/api/admin/users?search={tag}&status={status}"))).GetProperty("id").GetGuid();

        Assert.Equal(active, await OnlyAsync("active"));
        Assert.Equal(locked, await OnlyAsync("locked"));
        Assert.Equal(disabled, await OnlyAsync("disabled"));
    }

    [Theory]
    [InlineData("status=gone")]
    [InlineData("pageSize=0")]
    [InlineData("pageSize=201")]
    [InlineData("page=0")]
    [InlineData("page=x")]
    [InlineData("sort=name")]
    [InlineData("search=a&search=b")]
    public async Task List_BadQuery_Returns400InvalidRequest(string query)
    {
        var response = await SendAsync(HttpMethod.Get, $"/api/admin/users?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task List_WithoutToken_Returns401()
    {
        var response = await fixture.SendAsync(HttpMethod.Get, "/api/admin/users", null, accessToken: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
    }

    // --- view ---------------------------------------------------------------------------------------

    [Fact]
    public async Task Get_SignedInUserWithFactors_ShowsMethodsSessionConsentAndSignIns()
    {
        var (id, username) = await CreateUserAsync("view");
        var (browser, _) = await SignInAsync(username);
        using var _ = browser;
        await Host.WithServicesAsync(async services =>
        {
            await services.GetRequiredService<TotpAuthenticator>().EnrolConfirmedAsync(id, TotpAuthenticator.NewSecret());
            await services.GetRequiredService<RecoveryCodes>().RegenerateAsync(id);
        });
        await AddPasskeyAsync(id, "Work laptop");

        var response = await SendAsync(HttpMethod.Get, $"/api/admin/users/{id}");

        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
        var user = response.Json;
        Assert.Equal(username, user.GetProperty("username").GetString());
        var methods = user.GetProperty("methods");
        Assert.True(methods.GetProperty("password").GetBoolean());
        Assert.True(methods.GetProperty("totp").GetProperty("enrolled").GetBoolean());
        Assert.Equal(RecoveryCodes.Count, methods.GetProperty("recoveryCodesLeft").GetInt32());
        var passkey = Assert.Single(methods.GetProperty("passkeys").EnumerateArray());
        Assert.Equal("Work laptop", passkey.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, passkey.GetProperty("lastUsedAt").ValueKind);
        var session = Assert.Single(user.GetProperty("sessions").EnumerateArray());
        Assert.Equal([TestSeed.TaxClient], session.GetProperty("agencies").EnumerateArray().Select(a => a.GetString()));
        var consent = Assert.Single(user.GetProperty("consents").EnumerateArray());
        Assert.Equal(TestSeed.TaxClient, consent.GetProperty("clientId").GetString());
        Assert.Equal("National Tax Service", consent.GetProperty("displayName").GetString());
        Assert.Contains("openid", consent.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Contains(user.GetProperty("recentSignIns").EnumerateArray(),
            e => e.GetProperty("method").GetString() == "pwd" && e.GetProperty("outcome").GetString() == "success");
        Assert.False(string.IsNullOrEmpty(user.GetProperty("version").GetString()));
        Assert.DoesNotContain("passwordHash", response.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("securityStamp", response.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Get_UnknownId_Returns404NotFound()
    {
        var response = await SendAsync(HttpMethod.Get, $"/api/admin/users/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("not_found", response.Error);
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("1")]
    [InlineData("00000000-0000-0000-0000-00000000000g")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("admin1")]
    public async Task Get_MalformedId_Returns400InvalidRequest(string id)
    {
        var response = await SendAsync(HttpMethod.Get, $"/api/admin/users/{Uri.EscapeDataString(id)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
    }

    // --- disable / enable ---------------------------------------------------------------------------

    [Fact]
    [Trait(Catalogue.Row, "IN-UI-03")]
    public async Task Disable_SignedInUser_AccessTokenStopsAtUserInfoAndBrowserMustSignInAgain()
    {
        var (id, username) = await CreateUserAsync("dis");
        var (browser, accessToken) = await SignInAsync(username);
        using var _ = browser;
        Assert.Equal(HttpStatusCode.OK, (await UserInfoAsync(accessToken)).Status);

        var response = await ChangeAsync(id, "disable");

        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
        Assert.Equal("disabled", response.Json.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await UserInfoAsync(accessToken)).Status);
        Assert.False(await HasSessionAsync(browser));
        Assert.Empty(await SessionIdsAsync(id));
        Assert.Null((await browser.AuthorizeAsync(new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect), (username, TestSeed.Password))).Code);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-UI-03")]
    public async Task Enable_AfterDisable_UserSignsInAgainButOldTokenStaysRevoked()
    {
        var (id, username) = await CreateUserAsync("ena");
        var (browser, accessToken) = await SignInAsync(username);
        browser.Dispose();
        Assert.Equal(HttpStatusCode.OK, (await ChangeAsync(id, "disable")).Status);

        var response = await ChangeAsync(id, "enable");

        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
        Assert.Equal("active", response.Json.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await UserInfoAsync(accessToken)).Status);
        var (again, newToken) = await SignInAsync(username);
        using var __ = again;
        Assert.Equal(HttpStatusCode.OK, (await UserInfoAsync(newToken)).Status);
    }

    [Fact]
    public async Task Disable_WritesChangeLogRowWithBeforeAndAfterAndNoSecrets()
    {
        var (id, _) = await CreateUserAsync("aud");
        var (passwordHash, securityStamp) = await Host.WithDatabaseAsync(async db =>
        {
            var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == id);
            return (user.PasswordHash!, user.SecurityStamp!);
        });

        await ChangeAsync(id, "disable");

        var row = Assert.Single(await ChangesAsync(id));
        Assert.Equal("user.disable", row.Action);
        Assert.Equal("user", row.TargetType);
        Assert.Equal(TestSeed.Admin, row.ActorName);
        Assert.Equal(await UserIdAsync(TestSeed.Admin), row.ActorUserId);
        Assert.Equal("active", JsonNode.Parse(row.Before!)!["status"]!.GetValue<string>());
        Assert.Equal("disabled", JsonNode.Parse(row.After!)!["status"]!.GetValue<string>());
        foreach (var json in new[] { row.Before!, row.After! })
        {
            Assert.DoesNotContain(passwordHash, json, StringComparison.Ordinal);
            Assert.DoesNotContain(securityStamp, json, StringComparison.Ordinal);
        }
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-07")]
    public async Task Disable_StaleVersion_Returns409AndWritesNothing()
    {
        var (id, _) = await CreateUserAsync("stale");
        var stale = await VersionAsync(id);
        await ChangeAsync(id, "unlock"); // another administrator's change meanwhile
        await fixture.AccessTokenAsync(TestSeed.Admin);
        var rows = await Host.CountRowsAsync();

        var response = await ChangeAsync(id, "disable", stale);

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal("conflict", response.Error);
        Assert.Equal(rows, await Host.CountRowsAsync());
        Assert.Null(await Host.WithDatabaseAsync(db => db.Users.Where(u => u.Id == id).Select(u => u.LockoutEnd).SingleAsync()));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-07")]
    public async Task Delete_StaleVersion_Returns409AndKeepsTheUser()
    {
        var (id, _) = await CreateUserAsync("stale-del");
        var stale = await VersionAsync(id);
        await ChangeAsync(id, "unlock");

        var response = await SendAsync(HttpMethod.Delete, $"/api/admin/users/{id}?version={Uri.EscapeDataString(stale)}");

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.True(await Host.WithDatabaseAsync(db => db.Users.AnyAsync(u => u.Id == id)));
    }

    [Fact]
    public async Task Disable_OwnAccount_Returns409WithMessage()
    {
        var adminId = await UserIdAsync(TestSeed.Admin);

        var response = await ChangeAsync(adminId, "disable");

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Contains("your own account", response.Json.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.Null(await Host.WithDatabaseAsync(db => db.Users.Where(u => u.Id == adminId).Select(u => u.LockoutEnd).SingleAsync()));
    }

    [Fact]
    public async Task Delete_OwnAccount_Returns409WithMessage()
    {
        var adminId = await UserIdAsync(TestSeed.Admin);

        var response = await SendAsync(HttpMethod.Delete, $"/api/admin/users/{adminId}?version={Uri.EscapeDataString(await VersionAsync(adminId))}");

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Contains("your own account", response.Json.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.True(await Host.WithDatabaseAsync(db => db.Users.AnyAsync(u => u.Id == adminId)));
    }

    [Fact]
    public async Task Enable_ActiveUser_Returns409()
    {
        var (id, _) = await CreateUserAsync("ena-active");

        var response = await ChangeAsync(id, "enable");

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Empty(await ChangesAsync(id));
    }

    [Theory]
    [InlineData("{}", "version")]
    [InlineData("{\"version\":\"\"}", "version")]
    [InlineData("{\"version\":null}", "version")]
    [InlineData("{\"version\":\"V\",\"status\":\"disabled\"}", null)]
    [InlineData("{\"version\":1}", null)]
    [InlineData("{\"version\":", null)]
    [InlineData("[]", null)]
    [InlineData("null", "version")]
    [InlineData("", null)]
    public async Task Disable_BadBody_Returns400AndWritesNothing(string body, string? field)
    {
        var (id, _) = await CreateUserAsync("body");
        var token = await fixture.AccessTokenAsync(TestSeed.Admin);
        var rows = await Host.CountRowsAsync();

        var response = await SendRawAsync(HttpMethod.Post, $"/api/admin/users/{id}/disable", body.Replace("\"V\"", JsonSerializer.Serialize(await VersionAsync(id)), StringComparison.Ordinal), "application/json", token);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
        if (field is not null)
        {
            Assert.True(response.Json.GetProperty("errors").TryGetProperty(field, out _), response.Body);
        }

        Assert.Equal(rows, await Host.CountRowsAsync());
    }

    [Fact]
    public async Task Disable_UnknownMember_Returns400NamingIt()
    {
        var (id, _) = await CreateUserAsync("unknown-member");

        var response = await SendAsync(HttpMethod.Post, $"/api/admin/users/{id}/disable",
            new JsonObject { ["version"] = await VersionAsync(id), ["lockoutEnd"] = "2000-01-01T00:00:00Z" });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains("lockoutEnd", response.Json.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disable_FormBody_Returns415AndChangesNothing()
    {
        var (id, _) = await CreateUserAsync("form");

        var response = await SendRawAsync(HttpMethod.Post, $"/api/admin/users/{id}/disable", "version=x", "application/x-www-form-urlencoded",
            await fixture.AccessTokenAsync(TestSeed.Admin));

        // The endpoint accepts only JSON (its OpenAPI metadata), which routing enforces before the handler runs.
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.Status);
        Assert.Null(await Host.WithDatabaseAsync(db => db.Users.Where(u => u.Id == id).Select(u => u.LockoutEnd).SingleAsync()));
    }

    [Fact]
    public async Task Disable_UnknownUser_Returns404()
    {
        var response = await SendAsync(HttpMethod.Post, $"/api/admin/users/{Guid.NewGuid()}/disable", new JsonObject { ["version"] = Guid.NewGuid().ToString() });

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("not_found", response.Error);
    }

    [Theory]
    [InlineData("disable")]
    [InlineData("enable")]
    [InlineData("unlock")]
    [InlineData("reset-mfa")]
    public async Task Change_MalformedUserId_Returns400(string action)
    {
        var response = await SendAsync(HttpMethod.Post, $"/api/admin/users/{Uri.EscapeDataString("x:1")}/{action}", new JsonObject { ["version"] = "v" });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task Disable_AsNonAdministrator_Returns403AndChangesNothing()
    {
        var (id, _) = await CreateUserAsync("forbidden");
        var citizenToken = await fixture.AccessTokenAsync(TestSeed.OtherCitizen);

        var response = await fixture.SendAsync(HttpMethod.Post, $"/api/admin/users/{id}/disable",
            new JsonObject { ["version"] = await VersionAsync(id) }, citizenToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Null(await Host.WithDatabaseAsync(db => db.Users.Where(u => u.Id == id).Select(u => u.LockoutEnd).SingleAsync()));
        Assert.Empty(await ChangesAsync(id));
    }

    // --- unlock -------------------------------------------------------------------------------------

    [Fact]
    [Trait(Catalogue.Row, "AT-21")]
    public async Task Unlock_LockedOutByPasswordsAndCodes_ClearsBothAndTheUserSignsIn()
    {
        var (id, username) = await CreateUserAsync("unl");
        await ChangeUserAsync(id, user =>
        {
            user.LockoutEnd = DateTimeOffset.UtcNow.AddMinutes(15);
            user.AccessFailedCount = 4;
        });
        await Host.WithServicesAsync(services =>
            services.GetRequiredService<TotpAuthenticator>().EnrolConfirmedAsync(id, TotpAuthenticator.NewSecret()));
        await Host.WithDatabaseAsync(db => db.UserTotps.Where(t => t.UserId == id).ExecuteUpdateAsync(set => set
            .SetProperty(t => t.LockedUntil, DateTimeOffset.UtcNow.AddMinutes(15)).SetProperty(t => t.ConsecutiveFailures, 10)));
        Assert.Equal("locked", (await SendAsync(HttpMethod.Get, $"/api/admin/users/{id}")).Json.GetProperty("status").GetString());

        var response = await ChangeAsync(id, "unlock");

        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
        Assert.Equal("active", response.Json.GetProperty("status").GetString());
        Assert.Equal(0, response.Json.GetProperty("failedAttempts").GetInt32());
        var totp = await Host.WithDatabaseAsync(db => db.UserTotps.AsNoTracking().SingleAsync(t => t.UserId == id));
        Assert.Null(totp.LockedUntil);
        Assert.Equal(0, totp.ConsecutiveFailures);
        Assert.Equal("user.unlock", Assert.Single(await ChangesAsync(id)).Action);
        using var browser = Host.CreateBrowser();
        var page = await browser.SignInAsync(username);
        Assert.False(page.IsLoginPage, page.Html); // password accepted: on to the authenticator code
    }

    [Fact]
    public async Task Unlock_DisabledUser_Returns409AndStaysDisabled()
    {
        var (id, _) = await CreateUserAsync("unl-dis");
        await ChangeAsync(id, "disable");

        var response = await ChangeAsync(id, "unlock");

        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal("disabled", (await SendAsync(HttpMethod.Get, $"/api/admin/users/{id}")).Json.GetProperty("status").GetString());
    }

    // --- reset MFA ----------------------------------------------------------------------------------

    [Fact]
    public async Task ResetMfa_UserWithAllFactors_RemovesThemEndsSessionsAndPasswordAloneSignsIn()
    {
        var (id, username) = await CreateUserAsync("mfa");
        var (browser, _) = await SignInAsync(username);
        using var signedIn = browser;
        await Host.WithServicesAsync(async services =>
        {
            await services.GetRequiredService<TotpAuthenticator>().EnrolConfirmedAsync(id, TotpAuthenticator.NewSecret());
            await services.GetRequiredService<RecoveryCodes>().RegenerateAsync(id);
        });
        await AddPasskeyAsync(id, "Phone");
        using (var before = Host.CreateBrowser())
        {
            Assert.Null((await before.AuthorizeAsync(new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect), (username, TestSeed.Password))).Code);
        }

        var response = await ChangeAsync(id, "reset-mfa");

        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
        Assert.Equal((0, 0, 0), await Host.WithDatabaseAsync(async db => (
            await db.UserTotps.CountAsync(t => t.UserId == id),
            await db.RecoveryCodes.CountAsync(c => c.UserId == id),
            await db.Passkeys.CountAsync(p => p.UserId == id))));
        Assert.False(await HasSessionAsync(browser));
        var row = Assert.Single(await ChangesAsync(id));
        Assert.Equal("user.mfa.reset", row.Action);
        Assert.True(JsonNode.Parse(row.Before!)!["totpEnrolled"]!.GetValue<bool>());
        Assert.False(JsonNode.Parse(row.After!)!["totpEnrolled"]!.GetValue<bool>());
        using var after = Host.CreateBrowser();
        Assert.NotNull((await after.AuthorizeAsync(new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect), (username, TestSeed.Password))).Code);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-UI-03")]
    public async Task ResetMfa_UserWithOfflineRefreshToken_RefreshTokenStopsWorking()
    {
        var (id, username) = await CreateUserAsync("mfa-offline");
        var tokens = await Agency.Tax.TokensAsync(Host, username, "openid offline_access");
        var refreshToken = tokens["refresh_token"]!;

        var response = await ChangeAsync(id, "reset-mfa");

        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
        var refreshed = await Agency.Tax.RefreshAsync(Host, refreshToken);
        Assert.Equal("invalid_grant", refreshed.Error);
    }

    // --- delete -------------------------------------------------------------------------------------

    [Fact]
    [Trait(Catalogue.Row, "IN-UI-03")]
    public async Task Delete_SignedInUser_EndsSessionRevokesTokensDeletesAndAudits()
    {
        var (id, username) = await CreateUserAsync("del");
        var (browser, accessToken) = await SignInAsync(username);
        using var _ = browser;

        var response = await SendAsync(HttpMethod.Delete, $"/api/admin/users/{id}?version={Uri.EscapeDataString(await VersionAsync(id))}");

        Assert.True(response.Status == HttpStatusCode.NoContent, response.Body);
        Assert.False(await Host.WithDatabaseAsync(db => db.Users.AnyAsync(u => u.Id == id)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await UserInfoAsync(accessToken)).Status);
        Assert.False(await HasSessionAsync(browser));
        var left = 0;
        await Host.WithServicesAsync(async services =>
            left = (await services.GetRequiredService<IOpenIddictAuthorizationManager>().FindBySubjectAsync(id.ToString()).ToListAsync()).Count);
        Assert.Equal(0, left);
        var row = Assert.Single(await ChangesAsync(id));
        Assert.Equal("user.delete", row.Action);
        Assert.Contains(username, row.Before!, StringComparison.Ordinal);
        Assert.Null(row.After);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?version=")]
    [InlineData("?version=a&version=b")]
    [InlineData("?v=1")]
    public async Task Delete_WithoutSingleVersion_Returns400AndKeepsTheUser(string query)
    {
        var (id, _) = await CreateUserAsync("del-nover");

        var response = await SendAsync(HttpMethod.Delete, $"/api/admin/users/{id}{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.True(await Host.WithDatabaseAsync(db => db.Users.AnyAsync(u => u.Id == id)));
    }

    [Fact]
    public async Task Delete_UnknownUser_Returns404()
    {
        var response = await SendAsync(HttpMethod.Delete, $"/api/admin/users/{Guid.NewGuid()}?version=x");

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
    }

    // --- sessions (audit of the existing endpoints) -------------------------------------------------

    [Fact]
    public async Task EndAllSessions_WritesUserSessionsEndChangeLogRow()
    {
        var (id, username) = await CreateUserAsync("sess");
        var (browser, _) = await SignInAsync(username);
        using var _ = browser;
        var session = Assert.Single(await SessionIdsAsync(id));

        var response = await SendAsync(HttpMethod.Delete, $"/api/admin/users/{id}/sessions");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var row = Assert.Single(await ChangesAsync(id));
        Assert.Equal("user.sessions.end", row.Action);
        Assert.Contains(session, row.Before!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndOneSession_WritesUserSessionsEndChangeLogRow()
    {
        var (id, username) = await CreateUserAsync("sess1");
        var (browser, _) = await SignInAsync(username);
        using var _ = browser;
        var session = Assert.Single(await SessionIdsAsync(id));

        var response = await SendAsync(HttpMethod.Delete, $"/api/admin/users/{id}/sessions/{session}");

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        var row = Assert.Single(await ChangesAsync(id));
        Assert.Equal("user.sessions.end", row.Action);
        Assert.Contains(session, row.Before!, StringComparison.Ordinal);
    }

    // --- helpers ------------------------------------------------------------------------------------

    private static string Tag() => Guid.NewGuid().ToString("N")[..10];

    private async Task<(Guid Id, string Username)> CreateUserAsync(string prefix, string? email = null, string? name = null)
    {
        var username = $"u-{prefix}-{Tag()}";
        var user = new OnePassUser
        {
            UserName = username,
            Email = email ?? $"{username}@example.test",
            EmailConfirmed = true,
            DisplayName = name ?? "User Tester",
            LockoutEnabled = true,
        };
        await Host.WithServicesAsync(async services =>
        {
            var result = await services.GetRequiredService<UserManager<OnePassUser>>().CreateAsync(user, TestSeed.Password);
            Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        });
        return (user.Id, username);
    }

    private Task<int> ChangeUserAsync(Guid id, Action<OnePassUser> change) => Host.WithDatabaseAsync(async db =>
    {
        var user = await db.Users.SingleAsync(u => u.Id == id);
        change(user);
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
        return await db.SaveChangesAsync();
    });

    private Task<int> AddPasskeyAsync(Guid id, string name) => Host.WithDatabaseAsync(db =>
    {
        db.Passkeys.Add(new PasskeyCredential
        {
            Id = Guid.NewGuid(),
            UserId = id,
            CredentialId = Guid.NewGuid().ToByteArray(),
            PublicKey = [1, 2, 3],
            UserHandle = Guid.NewGuid().ToByteArray(),
            Name = name,
            CreatedAt = DateTimeOffset.UtcNow,
        });
        return db.SaveChangesAsync();
    });

    private async Task<Guid> UserIdAsync(string username) =>
        await Host.WithDatabaseAsync(db => db.Users.Where(u => u.UserName == username).Select(u => u.Id).SingleAsync());

    private async Task<string> VersionAsync(Guid id)
    {
        var response = await SendAsync(HttpMethod.Get, $"/api/admin/users/{id}");
        Assert.True(response.Status == HttpStatusCode.OK, response.Body);
        return response.Json.GetProperty("version").GetString()!;
    }

    /// <summary>POST /users/{id}/{action} with the given version, or the current one.</summary>
    private async Task<ProtocolResponse> ChangeAsync(Guid id, string action, string? version = null) =>
        await SendAsync(HttpMethod.Post, $"/api/admin/users/{id}/{action}", new JsonObject { ["version"] = version ?? await VersionAsync(id) });

    private Task<ProtocolResponse> SendAsync(HttpMethod method, string path, JsonNode? body = null) => fixture.SendAsAdminAsync(method, path, body);

    private async Task<ProtocolResponse> SendRawAsync(HttpMethod method, string path, string body, string contentType, string token)
    {
        using var client = Host.CreateProtocolClient();
        using var request = new HttpRequestMessage(method, path)
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await ProtocolResponse.ReadAsync(await client.SendAsync(request));
    }

    private static List<JsonElement> Items(ProtocolResponse response)
    {
        Assert.True(response.Status == HttpStatusCode.OK, $"{response.Status}: {response.Body}");
        return [.. response.Json.GetProperty("items").EnumerateArray()];
    }

    /// <summary>A browser signed in through the tax agency (explicit consent, remembered) and the agency's access token.</summary>
    private async Task<(BrowserClient Browser, string AccessToken)> SignInAsync(string username)
    {
        var browser = Host.CreateBrowser();
        var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Scope = "openid profile" };
        var response = await browser.AuthorizeAsync(request, (username, TestSeed.Password));
        Assert.True(response.Code is not null, $"{response.Page.Uri} {response.Page.Status}");
        var tokens = await new TokenClient(Host.CreateProtocolClient())
            .RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, response.Code!, request.CodeVerifier, TestSeed.TaxRedirect);
        Assert.True(tokens.Status == HttpStatusCode.OK, tokens.Body);
        return (browser, tokens["access_token"]!);
    }

    private async Task<ProtocolResponse> UserInfoAsync(string accessToken) =>
        await new TokenClient(Host.CreateProtocolClient()).UserInfoAsync(accessToken);

    /// <summary>True when a prompt=none request through the health agency yields a code (a live SSO session).</summary>
    private static async Task<bool> HasSessionAsync(BrowserClient browser)
    {
        var request = new AuthorizationRequest(TestSeed.HealthClient, TestSeed.HealthRedirect) { Extra = new() { ["prompt"] = "none" } };
        return (await browser.AuthorizeAsync(request)).Code is not null;
    }

    private async Task<List<string>> SessionIdsAsync(Guid userId)
    {
        List<string> ids = [];
        await Host.WithServicesAsync(async services =>
            ids = [.. (await services.GetRequiredService<SsoSessionStore>().ListForUserAsync(userId)).Select(session => session.Id)]);
        return ids;
    }

    private Task<List<AdminChange>> ChangesAsync(Guid id) => Host.WithDatabaseAsync(db =>
        db.AdminChanges.AsNoTracking().Where(c => c.TargetType == "user" && c.TargetId == id.ToString()).ToListAsync());
}
