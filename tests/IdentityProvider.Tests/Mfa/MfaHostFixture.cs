using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.IdentityProvider.Tests.Mfa.Passkeys;
using OnePass.TestKit;
using OtpNet;

namespace OnePass.IdentityProvider.Tests.Mfa;

/// <summary>
/// One identity provider (origin <c>http://localhost</c>, so passkeys use rpId <c>localhost</c>) whose
/// requests all come from <see cref="ClientIp"/>, with fresh citizens per test: some with an authenticator
/// app already set up (secret known here), some with no second factor.
/// </summary>
public sealed class MfaHostFixture : IDisposable
{
    /// <summary>The address every request comes from (TEST-NET-3), so audit events can be checked for it.</summary>
    public static readonly IPAddress ClientIp = IPAddress.Parse("203.0.113.45");

    private const int UsersPerKind = 30;
    private int _nextPlain;
    private int _nextTotp;

    public MfaHostFixture()
    {
        Host = new OnePassHost(new OnePassHostOptions
        {
            ConfigureSeed = seed =>
            {
                var users = seed["users"]!.AsArray();
                for (var i = 1; i <= UsersPerKind; i++)
                {
                    users.Add(TestSeed.User(Plain(i), Plain(i) + "@example.test", "Gap Citizen " + i.ToString(CultureInfo.InvariantCulture)));
                    var totp = TestSeed.User(Totp(i), Totp(i) + "@example.test", "Gap App Citizen " + i.ToString(CultureInfo.InvariantCulture));
                    totp["totpSecret"] = Secrets[Totp(i)] = Base32Encoding.ToString(TotpAuthenticator.NewSecret());
                    users.Add(totp);
                }
            },
            ConfigureServices = services => services.AddSingleton<IStartupFilter, FixedClientIp>(),
        });
        Host.EnsureStarted();
    }

    public OnePassHost Host { get; }

    /// <summary>Base32 TOTP secrets of the citizens with an authenticator app, by user name.</summary>
    public Dictionary<string, string> Secrets { get; } = [];

    /// <summary>A citizen with a password only, that no other test uses.</summary>
    public string NewUser() => Plain(Interlocked.Increment(ref _nextPlain));

    /// <summary>A citizen with an authenticator app set up, that no other test uses.</summary>
    public string NewTotpUser() => Totp(Interlocked.Increment(ref _nextTotp));

    public string Code(string user, int steps = 0) => MfaSteps.CodeAt(Secrets[user], steps);

    public void Dispose() => Host.Dispose();

    private static string Plain(int i) => "gap" + i.ToString("00", CultureInfo.InvariantCulture);

    private static string Totp(int i) => "gapapp" + i.ToString("00", CultureInfo.InvariantCulture);

    private sealed class FixedClientIp : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = ClientIp;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>The steps of a multi-factor sign-in as a browser takes them, through the real pages and passkey calls.</summary>
public static class MfaSteps
{
    public const string Origin = PasskeyHostFixture.Origin;

    public static string CodeAt(string base32, int steps = 0) =>
        new Totp(Base32Encoding.ToBytes(base32)).ComputeTotp(DateTime.UtcNow.AddSeconds(30 * steps));

    public static Func<Uri, bool> AtAgency(AuthorizationRequest request) =>
        uri => uri.ToString().StartsWith(request.RedirectUri!, StringComparison.Ordinal);

    public static AuthorizationRequest Request(string clientId = TestSeed.TaxClient, string redirectUri = TestSeed.TaxRedirect, string? acr = null) =>
        new(clientId, redirectUri)
        {
            Scope = "openid",
            Extra = acr is null ? [] : new() { ["acr_values"] = acr },
        };

    public static bool IsCodePage(BrowserPage page) => page.Document.QuerySelector("input[name=code]") is not null;

    /// <summary>Starts the request at OnePass and answers the password step; returns the page shown next.</summary>
    public static async Task<BrowserPage> PasswordStepAsync(BrowserClient browser, AuthorizationRequest request, string user)
    {
        var page = await browser.NavigateAsync(request.ToUrl(), AtAgency(request));
        Assert.True(page.IsLoginPage, page.Uri.ToString());
        return await browser.SubmitAsync(page, new Dictionary<string, string> { ["username"] = user, ["password"] = TestSeed.Password }, stopAt: AtAgency(request));
    }

    /// <summary>The return URL of the login page a request led to (the request OnePass resumes after the sign-in).</summary>
    public static async Task<string> LoginReturnUrlAsync(BrowserClient browser, AuthorizationRequest request)
    {
        var page = await browser.NavigateAsync(request.ToUrl(), AtAgency(request));
        Assert.True(page.IsLoginPage, page.Uri.ToString());
        return QueryHelpers.ParseQuery(page.Uri.Query)["ReturnUrl"].ToString();
    }

    public static Task<BrowserPage> SubmitCodeAsync(BrowserClient browser, BrowserPage page, string code, AuthorizationRequest request) =>
        browser.SubmitAsync(page, new Dictionary<string, string> { ["code"] = code }, stopAt: AtAgency(request));

    /// <summary>Follows <paramref name="url"/> to the agency, answering a consent page with "allow".</summary>
    public static async Task<BrowserPage> ToAgencyAsync(BrowserClient browser, string url, AuthorizationRequest request)
    {
        var page = await browser.NavigateAsync(url, AtAgency(request));
        return page.IsConsentPage ? await browser.SubmitAsync(page, new Dictionary<string, string>(), "decision", "allow", AtAgency(request)) : page;
    }

    /// <summary>Answers a consent page with "allow" when one is shown.</summary>
    public static async Task<BrowserPage> AllowAsync(BrowserClient browser, BrowserPage page, AuthorizationRequest request) =>
        page.IsConsentPage ? await browser.SubmitAsync(page, new Dictionary<string, string>(), "decision", "allow", AtAgency(request)) : page;

    /// <summary>Redeems the code the agency received; returns the ID token's payload.</summary>
    public static async Task<JsonElement> IdTokenAsync(OnePassHost host, BrowserPage callback, AuthorizationRequest request, string secret = TestSeed.TaxSecret)
    {
        Assert.True(callback.StoppedAtRedirect, $"{callback.Uri} {callback.Status}");
        var parameters = callback.RedirectParameters();
        Assert.True(parameters.ContainsKey("code"), callback.Uri.ToString());
        var tokens = await new TokenClient(host.CreateProtocolClient())
            .RedeemCodeAsync(request.ClientId, secret, parameters["code"], request.CodeVerifier, request.RedirectUri!);
        var payload = Tokens.Read(tokens["id_token"]!).EncodedPayload;
        return JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(payload)).RootElement;
    }

    /// <summary>Registers a new named passkey for the citizen signed in on <paramref name="browser"/>.</summary>
    public static async Task<SoftwareAuthenticator> RegisterPasskeyAsync(BrowserClient browser, string name)
    {
        var authenticator = new SoftwareAuthenticator();
        var options = await PasskeyCalls.PostAsync(browser, "register/options", new JsonObject { ["name"] = name });
        Assert.True(options.Status == HttpStatusCode.OK, $"register/options: {options}");
        var registered = await PasskeyCalls.PostAsync(browser, "register", authenticator.Register(options.Json, Origin));
        Assert.True(registered.Status == HttpStatusCode.Created, $"register: {registered}");
        return authenticator;
    }

    /// <summary>Signs a citizen with a password only in (own browser) and registers a passkey for them.</summary>
    public static async Task<SoftwareAuthenticator> PasskeyForAsync(OnePassHost host, string user, string name = "Test key")
    {
        using var browser = host.CreateBrowser();
        await browser.SignInAsync(user);
        return await RegisterPasskeyAsync(browser, name);
    }

    /// <summary>A usernameless passkey sign-in (options, then the authenticator's answer).</summary>
    public static async Task<PasskeyAnswer> PasskeySignInAsync(BrowserClient browser, SoftwareAuthenticator authenticator, string? returnUrl = null,
        string origin = Origin, byte flags = SoftwareAuthenticator.UserPresent | SoftwareAuthenticator.UserVerified, uint? counter = null)
    {
        var options = await PasskeyCalls.PostAsync(browser, "signin/options", new JsonObject { ["returnUrl"] = returnUrl });
        Assert.True(options.Status == HttpStatusCode.OK, $"signin/options: {options}");
        return await PasskeyCalls.PostAsync(browser, "signin", authenticator.Assert(options.Json, origin, flags, counter: counter));
    }

    /// <summary>The passkey as the second step of this browser's pending sign-in.</summary>
    public static async Task<PasskeyAnswer> PasskeySecondFactorAsync(BrowserClient browser, SoftwareAuthenticator authenticator,
        string origin = Origin, byte flags = SoftwareAuthenticator.UserPresent | SoftwareAuthenticator.UserVerified)
    {
        var options = await PasskeyCalls.PostAsync(browser, "secondfactor/options", new JsonObject());
        Assert.True(options.Status == HttpStatusCode.OK, $"secondfactor/options: {options}");
        return await PasskeyCalls.PostAsync(browser, "secondfactor", authenticator.Assert(options.Json, origin, flags));
    }
}
