using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Sessions;

/// <summary>
/// A OnePass whose agencies tax and health have back-channel logout URIs at a real <see cref="LogoutReceiver"/>
/// (health also a front-channel one), with delivery timings shortened for tests; plus helpers to sign in
/// through agencies and sign out.
/// </summary>
public sealed class SingleLogoutHost : IAsyncDisposable
{
    public const string HealthFrontChannel = "http://localhost:7002/frontchannel-logout";

    private SingleLogoutHost(LogoutReceiver receiver, OnePassHost host)
    {
        Receiver = receiver;
        Host = host;
    }

    public LogoutReceiver Receiver { get; }

    public OnePassHost Host { get; }

    public static async Task<SingleLogoutHost> StartAsync(
        Action<JsonObject, LogoutReceiver>? configureSeed = null, Dictionary<string, string?>? settings = null, string? redis = null)
    {
        var receiver = new LogoutReceiver();
        await receiver.StartAsync();
        var options = new OnePassHostOptions
        {
            RedisConnectionString = redis,
            ConfigureSeed = seed =>
            {
                SetClient(seed, TestSeed.TaxClient, "backchannelLogoutUri", receiver.UriFor("tax"));
                SetClient(seed, TestSeed.HealthClient, "backchannelLogoutUri", receiver.UriFor("health"));
                SetClient(seed, TestSeed.HealthClient, "frontchannelLogoutUri", HealthFrontChannel);
                configureSeed?.Invoke(seed, receiver);
            },
            Settings =
            {
                ["OnePass:BackChannelLogout:Timeout"] = "00:00:01",
                ["OnePass:BackChannelLogout:RetryBaseDelay"] = "00:00:00.2",
                ["OnePass:BackChannelLogout:PollInterval"] = "00:00:00.1",
            },
        };
        foreach (var (key, value) in settings ?? [])
        {
            options.Settings[key] = value;
        }

        var host = new OnePassHost(options);
        host.EnsureStarted();
        return new SingleLogoutHost(receiver, host);
    }

    public static void SetClient(JsonObject seed, string clientId, string property, string? value)
    {
        var client = seed["clients"]!.AsArray().Single(c => (string?)c!["clientId"] == clientId)!.AsObject();
        client[property] = value;
    }

    /// <summary>Signs in through an agency in this browser (password the first time, SSO after) and redeems the code.</summary>
    public async Task<ProtocolResponse> SignInThroughAsync(BrowserClient browser, Agency agency, string? scope = null)
    {
        var request = new AuthorizationRequest(agency.ClientId, agency.RedirectUri) { Scope = scope ?? agency.Scope };
        var response = await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password));
        Assert.True(response.Code is not null, $"No code: {response.Page.Uri} {response.Page.Status}");
        var tokens = await new TokenClient(Host.CreateProtocolClient())
            .RedeemCodeAsync(agency.ClientId, agency.Secret, response.Code!, request.CodeVerifier, agency.RedirectUri);
        Assert.True(tokens.Status == System.Net.HttpStatusCode.OK, tokens.Body);
        return tokens;
    }

    /// <summary>RP-initiated logout with the ID token as hint (no confirmation page).</summary>
    public static Task<BrowserPage> EndSessionAsync(BrowserClient browser, string idToken, string? postLogoutRedirectUri = null, string? state = null) =>
        browser.NavigateAsync(QueryHelpers.AddQueryString("/connect/endsession", new Dictionary<string, string?>
        {
            ["id_token_hint"] = idToken,
            ["post_logout_redirect_uri"] = postLogoutRedirectUri,
            ["state"] = state,
        }.Where(pair => pair.Value is not null).ToDictionary()));

    public async ValueTask DisposeAsync()
    {
        Host.Dispose();
        await Receiver.DisposeAsync();
    }
}
