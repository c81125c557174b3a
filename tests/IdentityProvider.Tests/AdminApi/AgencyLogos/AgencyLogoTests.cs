using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Tests.AdminApi.AgencySecrets;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.AdminApi.AgencyLogos;

/// <summary>
/// Agency logos (issue 5; CATALOGUE IN-AD-03): raster images only, decided from the bytes, size- and
/// dimension-limited, stored and served by OnePass with headers that keep a hostile file inert, and shown
/// on the consent page from OnePass's own URL. Each test uses an agency of its own (the consent test the
/// seeded tax agency), so the tests share one host.
/// </summary>
public sealed class AgencyLogoTests(AdminApiHost fixture) : IClassFixture<AdminApiHost>
{
    private const string Secret = "logo-secret-0123456789-0123456789-abcdef";

    private OnePassHost Host => fixture.Host;

    public static TheoryData<string, byte[], string> Accepted => new()
    {
        { "image/png", TestImages.Png(64, 32), "image/png" },
        { "image/jpeg", TestImages.Jpeg(120, 80), "image/jpeg" },
        { "image/webp", TestImages.WebPLossless(200, 100), "image/webp" },
        { "image/webp", TestImages.WebPLossy(100, 100), "image/webp" },
        { "image/webp", TestImages.WebPExtended(1024, 16), "image/webp" },
        { "image/png", TestImages.Jpeg(64, 64), "image/jpeg" }, // the type is what the bytes are
    };

    public static TheoryData<string, byte[]> Refused => new()
    {
        { "image/svg+xml", TestImages.SvgWithScript },
        { "image/png", TestImages.SvgWithScript },
        { "image/png", TestImages.Html },
        { "text/html", TestImages.Html },
        { "image/gif", TestImages.Gif },
        { "image/png", TestImages.Gif },
        { "image/png", TestImages.Png(64, 64)[..40] }, // truncated: no IEND
        { "image/png", [] },
    };

    public static TheoryData<int, int> BadDimensions => new()
    {
        { 8, 8 },
        { 15, 64 },
        { 64, 15 },
        { 1025, 64 },
        { 2000, 2000 },
    };

    [Theory]
    [Trait(Catalogue.Row, "IN-AD-03")]
    [MemberData(nameof(Accepted))]
    public async Task SetLogo_WithRasterImage_StoresItAndServesTheBytesWithTheirRealType(string declared, byte[] image, string expectedType)
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "logo-raster", Secret);

        var response = await PutLogoAsync(clientId, image, declared);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(expectedType, response["contentType"]);
        using var served = await GetPublicAsync(response["logoUrl"]!);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(expectedType, served.Content.Headers.ContentType?.MediaType);
        Assert.Equal(image, await served.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-03")]
    public async Task SetLogo_AnswersOnePassUrlSizeAndDigest()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "logo-answer", Secret);
        var image = TestImages.Png(300, 150);

        var response = await PutLogoAsync(clientId, image, "image/png");

        var digest = Convert.ToHexStringLower(SHA256.HashData(image));
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal($"/agency-logos/{clientId}?v={digest[..16]}", response["logoUrl"]);
        Assert.Equal(digest, response["digest"]);
        Assert.Equal("300", response["width"]);
        Assert.Equal("150", response["height"]);
        Assert.Equal(image.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), response["size"]);
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AD-03")]
    [MemberData(nameof(Refused))]
    public async Task SetLogo_WithAnythingButPngJpegOrWebP_Returns400LogoError_AndStoresNothing(string declared, byte[] body)
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "logo-refused", Secret);
        var rowsBefore = await Host.CountRowsAsync();

        var response = await PutLogoAsync(clientId, body, declared);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", response.Error);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("logo", out _), response.Body);
        Assert.Equal(rowsBefore, await Host.CountRowsAsync());
        using var served = await GetPublicAsync($"/agency-logos/{clientId}");
        Assert.Equal(HttpStatusCode.NotFound, served.StatusCode);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-03")]
    public async Task SetLogo_WithSvgAfterAPng_KeepsThePng()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "logo-keep", Secret);
        var png = TestImages.Png(64, 64);
        Assert.Equal(HttpStatusCode.OK, (await PutLogoAsync(clientId, png, "image/png")).Status);

        var response = await PutLogoAsync(clientId, TestImages.SvgWithScript, "image/svg+xml");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        using var served = await GetPublicAsync($"/agency-logos/{clientId}");
        Assert.Equal(png, await served.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AD-03")]
    [MemberData(nameof(BadDimensions))]
    public async Task SetLogo_WithDimensionsOutside16To1024_Returns400LogoError_AndStoresNothing(int width, int height)
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "logo-size", Secret);
        var rowsBefore = await Host.CountRowsAsync();

        var response = await PutLogoAsync(clientId, TestImages.Png(width, height), "image/png");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("logo", out _), response.Body);
        Assert.Equal(rowsBefore, await Host.CountRowsAsync());
    }

    [Theory]
    [Trait(Catalogue.Row, "IN-AD-03")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SetLogo_LargerThan256KiB_Returns413_AndStoresNothing(bool chunked)
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "logo-large", Secret);
        var image = TestImages.Png(64, 64);
        var body = image.Concat(new byte[(256 * 1024) + 1 - image.Length]).ToArray();
        var rowsBefore = await Host.CountRowsAsync();

        var content = chunked ? (HttpContent)new StreamContent(new NonSeekableStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var response = await TestAgencies.SendAsync(Host, HttpMethod.Put, Path(clientId), await AdminTokenAsync(), content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Equal("invalid_request", response.Error);
        Assert.Equal(rowsBefore, await Host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-03")]
    public async Task SetLogo_UnknownAgency_Returns404()
    {
        var response = await PutLogoAsync("no-such-agency", TestImages.Png(64, 64), "image/png");

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("not_found", response.Error);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SetLogo_WithoutToken_Returns401_AndStoresNothing()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "logo-anonymous", Secret);
        var content = new ByteArrayContent(TestImages.Png(64, 64));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");

        var response = await TestAgencies.SendAsync(Host, HttpMethod.Put, Path(clientId), accessToken: null, content);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        using var served = await GetPublicAsync($"/agency-logos/{clientId}");
        Assert.Equal(HttpStatusCode.NotFound, served.StatusCode);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-03")]
    public async Task GetLogo_IsServedWithCachingNosniffAndSandboxHeaders()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "logo-headers", Secret);
        var image = TestImages.Png(64, 64);
        Assert.Equal(HttpStatusCode.OK, (await PutLogoAsync(clientId, image, "image/png")).Status);

        using var served = await GetPublicAsync($"/agency-logos/{clientId}");

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal($"\"{Convert.ToHexStringLower(SHA256.HashData(image))}\"", served.Headers.ETag?.ToString());
        Assert.Equal("public, max-age=86400", served.Headers.CacheControl?.ToString());
        Assert.Equal("nosniff", Assert.Single(served.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("default-src 'none'; sandbox", Assert.Single(served.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-03")]
    public async Task GetLogo_WithMatchingIfNoneMatch_Returns304WithoutBody()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "logo-etag", Secret);
        Assert.Equal(HttpStatusCode.OK, (await PutLogoAsync(clientId, TestImages.Png(64, 64), "image/png")).Status);
        using var first = await GetPublicAsync($"/agency-logos/{clientId}");

        using var second = await GetPublicAsync($"/agency-logos/{clientId}", request => request.Headers.IfNoneMatch.Add(first.Headers.ETag!));

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-03")]
    public async Task GetLogo_WithoutLogo_Returns404()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "logo-none", Secret);

        using var served = await GetPublicAsync($"/agency-logos/{clientId}");

        Assert.Equal(HttpStatusCode.NotFound, served.StatusCode);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task SetAndReplaceLogo_AuditsContentTypeDigestAndSize_BeforeAndAfter()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "logo-audit", Secret);
        var first = TestImages.Png(64, 64);
        var second = TestImages.Jpeg(64, 64);
        Assert.Equal(HttpStatusCode.OK, (await PutLogoAsync(clientId, first, "image/png")).Status);

        Assert.Equal(HttpStatusCode.OK, (await PutLogoAsync(clientId, second, "image/jpeg")).Status);

        var changes = await TestAgencies.ChangesAsync(Host, clientId);
        Assert.Equal(["agency.logo.set", "agency.logo.set"], changes.Select(c => c.Action));
        Assert.Null(changes[0].Before);
        var before = JsonNode.Parse(changes[1].Before!)!;
        var after = JsonNode.Parse(changes[1].After!)!;
        Assert.Equal("image/png", (string?)before["contentType"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(first)), (string?)before["digest"]);
        Assert.Equal(first.Length, (int?)before["size"]);
        Assert.Equal("image/jpeg", (string?)after["contentType"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(second)), (string?)after["digest"]);
        Assert.Equal(second.Length, (int?)after["size"]);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-06")]
    public async Task RemoveLogo_Returns204_StopsServingIt_AndAudits()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "logo-remove", Secret);
        Assert.Equal(HttpStatusCode.OK, (await PutLogoAsync(clientId, TestImages.Png(64, 64), "image/png")).Status);

        var response = await fixture.SendAsAdminAsync(HttpMethod.Delete, Path(clientId));

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        using var served = await GetPublicAsync($"/agency-logos/{clientId}");
        Assert.Equal(HttpStatusCode.NotFound, served.StatusCode);
        var change = (await TestAgencies.ChangesAsync(Host, clientId))[^1];
        Assert.Equal("agency.logo.remove", change.Action);
        Assert.Equal("image/png", (string?)JsonNode.Parse(change.Before!)!["contentType"]);
        Assert.Null(change.After);
        Assert.False(await Host.WithDatabaseAsync(db => db.AgencyLogos.AnyAsync(l => l.ClientId == clientId)));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-03")]
    public async Task RemoveLogo_WhenThereIsNone_Returns404()
    {
        var clientId = await TestAgencies.CreateMachineAsync(Host, "logo-remove-none", Secret);

        var response = await fixture.SendAsAdminAsync(HttpMethod.Delete, Path(clientId));

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-03")]
    public async Task ConsentPage_ShowsTheLogoFromOnePass_AsDecorativeImageWithSize()
    {
        var upload = await PutLogoAsync(TestSeed.TaxClient, TestImages.Png(96, 48), "image/png");
        Assert.Equal(HttpStatusCode.OK, upload.Status);
        using var browser = Host.CreateBrowser();
        await browser.SignInAsync(TestSeed.Citizen);

        var page = await browser.NavigateAsync(new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect)
        {
            Extra = new() { ["prompt"] = "consent" },
        }.ToUrl());

        Assert.True(page.IsConsentPage, page.Uri.ToString());
        var image = page.Document.QuerySelector("img#agency-logo");
        Assert.NotNull(image);
        Assert.Equal(upload["logoUrl"], image.GetAttribute("src"));
        Assert.StartsWith("/agency-logos/", image.GetAttribute("src"), StringComparison.Ordinal);
        Assert.Equal(string.Empty, image.GetAttribute("alt"));
        Assert.Equal("48", image.GetAttribute("width"));
        Assert.Equal("24", image.GetAttribute("height"));
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-03")]
    public async Task OpenApiDocument_DescribesTheUploadAsRawImageBytes()
    {
        var document = await TestAgencies.SendAsync(Host, HttpMethod.Get, "/openapi/v1.json", accessToken: null);

        Assert.Equal(HttpStatusCode.OK, document.Status);
        var path = document.Json.GetProperty("paths").GetProperty("/api/admin/agencies/{clientId}/logo");
        var content = path.GetProperty("put").GetProperty("requestBody").GetProperty("content");
        Assert.Equal(["image/png", "image/jpeg", "image/webp"], content.EnumerateObject().Select(type => type.Name));
        Assert.True(path.TryGetProperty("delete", out _));
    }

    private static string Path(string clientId) => $"/api/admin/agencies/{Uri.EscapeDataString(clientId)}/logo";

    private Task<string> AdminTokenAsync() => fixture.AccessTokenAsync(TestSeed.Admin);

    private async Task<ProtocolResponse> PutLogoAsync(string clientId, byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await TestAgencies.SendAsync(Host, HttpMethod.Put, Path(clientId), await AdminTokenAsync(), content);
    }

    private async Task<HttpResponseMessage> GetPublicAsync(string url, Action<HttpRequestMessage>? configure = null)
    {
        using var client = Host.CreateProtocolClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        configure?.Invoke(request);
        return await client.SendAsync(request);
    }

    /// <summary>A body without a known length, so it goes chunked.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
