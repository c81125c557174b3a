using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Features.Seed;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Seed;

/// <summary>
/// A malformed seed is refused as a whole with a message naming the bad entry, and the database is left
/// exactly as it was (CONTRACT §3; CATALOGUE IN-AD-01, IN-AD-04, IN-AD-05, IN-AD-08).
/// </summary>
public sealed class SeedValidationTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>, IDisposable
{
    private const string Secret = "a-new-agency-secret-0123456789-0123456789";
    private readonly OnePassHost _host = fixture.Host;
    private readonly string _directory = Directory.CreateTempSubdirectory("onepass-seed-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string, string, string> MalformedClients => new()
    {
        // case, the client entry's changes (merged into a valid client "agency-new"), a word the message must hold
        { "unknown grant", """{"grantTypes": ["password"]}""", "password" },
        { "short secret", """{"clientSecret": "only-31-characters-of-secret..."}""", "clientSecret" },
        { "wildcard redirect", """{"redirectUris": ["https://*.example.test/cb"]}""", "wildcard" },
        { "fragment redirect", """{"redirectUris": ["https://agency.example.test/cb#x"]}""", "fragment" },
        { "javascript redirect", """{"redirectUris": ["javascript:alert(1)"]}""", "javascript" },
        { "data redirect", """{"redirectUris": ["data:text/html,hi"]}""", "data" },
        { "relative redirect", """{"redirectUris": ["/signin-oidc"]}""", "redirectUris" },
        { "metadata redirect", """{"redirectUris": ["http://169.254.169.254/latest/meta-data"]}""", "metadata" },
        { "metadata back-channel logout", """{"backchannelLogoutUri": "http://169.254.169.254/bcl"}""", "backchannelLogoutUri" },
        { "null redirect list", """{"redirectUris": null}""", "redirectUris" },
        { "null in grant list", """{"grantTypes": ["authorization_code", null]}""", "grantTypes" },
        { "long display name", $$"""{"displayName": "{{new string('x', 5000)}}"}""", "displayName" },
    };

    [Theory]
    [MemberData(nameof(MalformedClients))]
    [Trait(Catalogue.Row, "IN-AD-01")]
    [Trait(Catalogue.Row, "IN-AD-04")]
    [Trait(Catalogue.Row, "IN-AD-05")]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task ApplySeed_WithMalformedClient_ThrowsNamingTheClientAndChangesNothing(string @case, string changes, string reason)
    {
        var client = ValidClient();
        foreach (var (name, value) in JsonNode.Parse(changes)!.AsObject())
        {
            client[name] = value?.DeepClone();
        }

        var message = await AssertRefusedAsync(Seed(clients: [client]));

        Assert.True(message.Contains("agency-new", StringComparison.Ordinal), $"{@case}: {message}");
        Assert.True(message.Contains(reason, StringComparison.Ordinal), $"{@case}: {message}");
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task ApplySeed_WithDuplicateClientIds_ThrowsNamingTheClient()
    {
        var message = await AssertRefusedAsync(Seed(clients: [ValidClient(), ValidClient()]));

        Assert.Contains("agency-new", message, StringComparison.Ordinal);
        Assert.Contains("more than once", message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task ApplySeed_WithClientIdEqualToUsername_ThrowsNamingTheClient()
    {
        var message = await AssertRefusedAsync(Seed(clients: [ValidClient()], users: [ValidUser("agency-new", "a perfectly fine long passphrase")]));

        Assert.Contains("clients[0] (agency-new)", message, StringComparison.Ordinal);
        Assert.Contains("username", message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task ApplySeed_WithClientIdEqualToStoredUsername_ThrowsNamingTheClient()
    {
        var message = await AssertRefusedAsync(Seed(clients: [ValidClient(TestSeed.Citizen)]));

        Assert.Contains($"clients[0] ({TestSeed.Citizen})", message, StringComparison.Ordinal);
        Assert.Contains("username", message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task ApplySeed_WithUsernameEqualToStoredClientId_ThrowsNamingTheUser()
    {
        var message = await AssertRefusedAsync(Seed(users: [ValidUser(TestSeed.TaxClient, "a perfectly fine long passphrase")]));

        Assert.Contains($"users[0] ({TestSeed.TaxClient})", message, StringComparison.Ordinal);
        Assert.Contains("clientId", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("too short", "must be at least")]
    [InlineData("my onepass passphrase is long", "onepass")]
    [InlineData("newcitizen is my long passphrase", "username")]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task ApplySeed_WithWeakPassword_ThrowsNamingTheUser(string password, string reason)
    {
        var message = await AssertRefusedAsync(Seed(users: [ValidUser("newcitizen", password)]));

        Assert.Contains("users[0] (newcitizen)", message, StringComparison.Ordinal);
        Assert.Contains(reason, message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task ApplySeedFile_WithUnknownMember_ThrowsNamingTheMember()
    {
        var client = ValidClient();
        client["colour"] = "red";

        var message = await AssertFileRefusedAsync(Seed(clients: [client]).ToJsonString());

        Assert.Contains("colour", message, StringComparison.Ordinal);
        Assert.Contains("clients[0]", message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task ApplySeedFile_WithInvalidJson_ThrowsNamingTheFile()
    {
        var message = await AssertFileRefusedAsync("""{"clients": [{"clientId": "agency-new",""");

        Assert.Contains("seed.json", message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task ApplySeed_WithOneBadEntryAfterGoodOnes_WritesNoneOfThem()
    {
        var bad = ValidClient("agency-bad");
        bad["redirectUris"] = new JsonArray("https://agency.example.test/cb#x");

        var message = await AssertRefusedAsync(Seed(clients: [ValidClient(), bad], users: [ValidUser("newcitizen", "a perfectly fine long passphrase")]));

        Assert.Contains("agency-bad", message, StringComparison.Ordinal);
        Assert.DoesNotContain("agency-new", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://agency.example.test/signin-oidc", "https")]
    [InlineData("https://127.0.0.1:7001/signin-oidc", "loopback")]
    [InlineData("https://localhost/signin-oidc", "loopback")]
    [Trait(Catalogue.Row, "IN-AD-01")]
    public void Validate_WhenHttpsRequired_RefusesPlainHttpAndLoopbackRedirects(string redirectUri, string reason)
    {
        var client = ValidClient();
        client["redirectUris"] = new JsonArray(redirectUri);

        var errors = SeedValidator.Validate(SeedIdempotencyTests.Parse(Seed(clients: [client]).ToJsonString()), requireHttps: true);

        var error = Assert.Single(errors);
        Assert.Contains("agency-new", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-01")]
    public void Validate_WhenHttpsRequired_AcceptsHttpsRedirectOnPublicHost()
    {
        var client = ValidClient();
        client["redirectUris"] = new JsonArray("https://agency.example.test/signin-oidc");

        var errors = SeedValidator.Validate(SeedIdempotencyTests.Parse(Seed(clients: [client]).ToJsonString()), requireHttps: true);

        Assert.Empty(errors);
    }

    private async Task<string> AssertRefusedAsync(JsonObject seed)
    {
        var counts = await _host.CountRowsAsync();
        var before = await TableChecksum.OfHostAsync(_host);

        var exception = await Assert.ThrowsAsync<SeedException>(() => _host.WithServicesAsync(services =>
            services.GetRequiredService<SeedApplier>().ApplyAsync(SeedIdempotencyTests.Parse(seed.ToJsonString()), requireHttps: false)));

        Assert.Equal(counts, await _host.CountRowsAsync());
        Assert.Equal(before, await TableChecksum.OfHostAsync(_host));
        return exception.Message;
    }

    private async Task<string> AssertFileRefusedAsync(string json)
    {
        var path = Path.Combine(_directory, "seed.json");
        await File.WriteAllTextAsync(path, json);
        var counts = await _host.CountRowsAsync();
        var before = await TableChecksum.OfHostAsync(_host);

        var exception = await Assert.ThrowsAsync<SeedException>(() => _host.WithServicesAsync(services =>
            services.GetRequiredService<SeedApplier>().ApplyFileAsync(path, requireHttps: false)));

        Assert.Equal(counts, await _host.CountRowsAsync());
        Assert.Equal(before, await TableChecksum.OfHostAsync(_host));
        return exception.Message;
    }

    private static JsonObject Seed(JsonObject[]? clients = null, JsonObject[]? users = null) => new()
    {
        ["clients"] = new JsonArray([.. clients ?? []]),
        ["users"] = new JsonArray([.. users ?? []]),
    };

    private static JsonObject ValidClient(string clientId = "agency-new") =>
        TestSeed.Client(clientId, Secret, "New Agency", ["http://127.0.0.1:7010/signin-oidc"], [], "explicit",
            ["authorization_code", "refresh_token"], ["openid", "profile"]);

    private static JsonObject ValidUser(string username, string password)
    {
        var user = TestSeed.User(username, $"{username}@example.test", "New Citizen");
        user["password"] = password;
        return user;
    }
}
