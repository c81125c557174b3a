using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Infrastructure.Keys;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Performance;

/// <summary>
/// Discovery and JWKS are answered from memory with cache headers (issue 7 <c>disco</c>, CATALOGUE LD-01): OpenIddict's
/// exact bytes, <c>Cache-Control: public, max-age</c>, a strong <c>ETag</c> and 304 for <c>If-None-Match</c>; a key
/// rotation shows in JWKS at once.
/// </summary>
public sealed class DiscoveryCacheTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private const string DiscoveryPath = "/.well-known/openid-configuration";
    private const string JwksPath = "/.well-known/jwks";

    private readonly OnePassHost _host = fixture.Host;

    [Theory]
    [Trait(Catalogue.Row, "LD-01")]
    [InlineData(DiscoveryPath)]
    [InlineData(JwksPath)]
    public async Task Get_WithMatchingIfNoneMatch_Answers304WithoutBody(string path)
    {
        using var http = _host.CreateProtocolClient();
        using var first = await http.GetAsync(path);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
        conditional.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var second = await http.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-01")]
    public async Task Discovery_Get_IsPubliclyCacheableForFiveMinutes()
    {
        using var http = _host.CreateProtocolClient();

        using var response = await http.GetAsync(DiscoveryPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl!.Public);
        Assert.Equal(TimeSpan.FromMinutes(5), response.Headers.CacheControl.MaxAge);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.False(response.Headers.Contains("Pragma"));
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-01")]
    [Trait(Catalogue.Row, "FT-13")]
    public async Task Jwks_Get_CachedNoLongerThanFiveMinutes()
    {
        using var http = _host.CreateProtocolClient();

        using var response = await http.GetAsync(JwksPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl!.Public);
        Assert.InRange(response.Headers.CacheControl.MaxAge!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
    }

    [Theory]
    [Trait(Catalogue.Row, "LD-01")]
    [InlineData(DiscoveryPath)]
    [InlineData(JwksPath)]
    public async Task Get_FromMemory_BodyAndTypeIdenticalToOpenIddictsAnswer(string path)
    {
        using var http = _host.CreateProtocolClient();
        _ = await http.GetByteArrayAsync(path); // fills the cache

        // A query string bypasses the cache: OpenIddict builds this answer afresh.
        using var uncached = await http.GetAsync(path + "?fresh=1");
        using var cached = await http.GetAsync(path);

        Assert.Null(uncached.Headers.ETag);
        Assert.NotNull(cached.Headers.ETag);
        Assert.Equal(await uncached.Content.ReadAsByteArrayAsync(), await cached.Content.ReadAsByteArrayAsync());
        Assert.Equal(uncached.Content.Headers.ContentType, cached.Content.Headers.ContentType);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-13")]
    [Trait(Catalogue.Row, "LD-01")]
    public async Task Jwks_AfterKeyRotation_NewKeyPublishedAndOldETagNoLongerMatches()
    {
        using var host = new OnePassHost();
        using var http = host.CreateProtocolClient();
        using var before = await http.GetAsync(JwksPath);
        var rotated = await RotateAsync(host);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, JwksPath);
        conditional.Headers.IfNoneMatch.Add(before.Headers.ETag!);

        using var after = await http.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
        Assert.DoesNotContain(rotated, Kids(await before.Content.ReadAsStringAsync()));
        Assert.Contains(rotated, Kids(await after.Content.ReadAsStringAsync()));
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-01")]
    public async Task Get_WithOtherETag_AnswersFullBody()
    {
        using var http = _host.CreateProtocolClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, DiscoveryPath);
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"not-this-one\""));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.ValueKind);
    }

    private static List<string> Kids(string jwks) => JsonDocument.Parse(jwks).RootElement.GetProperty("keys").EnumerateArray()
        .Select(key => key.GetProperty("kid").GetString()!).ToList();

    private static async Task<string> RotateAsync(OnePassHost host)
    {
        string? kid = null;
        await host.WithServicesAsync(async services =>
        {
            var store = services.GetRequiredService<KeyStore>();
            kid = (await store.RotateAsync(algorithm: null, immediately: false)).KeyId;
            await store.LoadAsync();
        });
        return kid!;
    }
}
