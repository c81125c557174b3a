using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using OnePass.TestKit;
using OtpNet;
using static OnePass.IdentityProvider.Tests.Account.Registration.AccountMail;

namespace OnePass.IdentityProvider.Tests.Telemetry;

/// <summary>
/// Nothing secret reaches the logs, the spans or the metrics (CATALOGUE AT-27; issue 7 "Operators' view"): real
/// flows run against a host whose every log category is captured at Trace and whose spans are recorded, and
/// none of the values they used may appear anywhere.
/// </summary>
public sealed class NoSecretsInTelemetryTests(TelemetryHostFixture fixture) : IClassFixture<TelemetryHostFixture>
{
    private OnePassHost Host => fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "AT-27")]
    public async Task WholeRun_LogsSpansAndMetrics_HoldNoPasswordSecretCodeTokenOrSeed()
    {
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        var codes = new List<string>();
        var tokens = new TokenClient(Host.CreateProtocolClient());

        // Password sign-in, code + PKCE, refresh with rotation.
        using (var browser = Host.CreateBrowser())
        {
            var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Scope = "openid profile email offline_access" };
            var response = await browser.AuthorizeAsync(request, (TestSeed.Citizen, TestSeed.Password));
            var redeemed = await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, response.Code!, request.CodeVerifier, TestSeed.TaxRedirect);
            var refreshed = await tokens.RefreshAsync(TestSeed.TaxClient, TestSeed.TaxSecret, redeemed["refresh_token"]!);
            Assert.Equal(HttpStatusCode.OK, refreshed.Status);
            await tokens.UserInfoAsync(refreshed["access_token"]!);
            secrets["password"] = TestSeed.Password;
            secrets["client secret"] = TestSeed.TaxSecret;
            secrets["authorization code"] = response.Code!;
            secrets["code_verifier"] = request.CodeVerifier;
            secrets["access token"] = redeemed["access_token"]!;
            secrets["refresh token"] = redeemed["refresh_token"]!;
            secrets["id token"] = redeemed["id_token"]!;
            secrets["rotated access token"] = refreshed["access_token"]!;
            secrets["rotated refresh token"] = refreshed["refresh_token"]!;
        }

        // A wrong password.
        using (var browser = Host.CreateBrowser())
        {
            await browser.SignInAsync(TestSeed.OtherCitizen, "a wrong password typed by mistake");
            secrets["wrong password"] = "a wrong password typed by mistake";
        }

        // client_credentials.
        var machine = await tokens.ClientCredentialsAsync(TestSeed.MachineClient, TestSeed.MachineSecret);
        Assert.Equal(HttpStatusCode.OK, machine.Status);
        secrets["machine secret"] = TestSeed.MachineSecret;
        secrets["machine access token"] = machine["access_token"]!;

        // Password then authenticator code.
        using (var browser = Host.CreateBrowser())
        {
            var request = new AuthorizationRequest(TestSeed.TaxClient, TestSeed.TaxRedirect) { Scope = "openid profile" };
            bool AtAgency(Uri uri) => uri.ToString().StartsWith(TestSeed.TaxRedirect, StringComparison.Ordinal);
            var login = await browser.NavigateAsync(request.ToUrl(), AtAgency);
            var codePage = await browser.SubmitAsync(login, new Dictionary<string, string>
            {
                ["username"] = TelemetryHostFixture.TotpUser, ["password"] = TestSeed.Password,
            }, stopAt: AtAgency);
            var totp = new Totp(Base32Encoding.ToBytes(fixture.TotpSecret)).ComputeTotp(DateTime.UtcNow);
            var next = await browser.SubmitAsync(codePage, new Dictionary<string, string> { ["code"] = totp }, stopAt: AtAgency);
            var callback = next.IsConsentPage ? await browser.SubmitAsync(next, new Dictionary<string, string>(), "decision", "allow", AtAgency) : next;
            Assert.True(callback.StoppedAtRedirect, callback.Uri.ToString());
            var code = callback.RedirectParameters()["code"];
            var redeemed = await tokens.RedeemCodeAsync(TestSeed.TaxClient, TestSeed.TaxSecret, code, request.CodeVerifier, TestSeed.TaxRedirect);
            Assert.Equal(HttpStatusCode.OK, redeemed.Status);
            secrets["TOTP seed"] = fixture.TotpSecret;
            secrets["TOTP seed (hex)"] = Convert.ToHexString(Base32Encoding.ToBytes(fixture.TotpSecret));
            secrets["TOTP seed (base64)"] = Convert.ToBase64String(Base32Encoding.ToBytes(fixture.TotpSecret));
            secrets["MFA authorization code"] = code;
            secrets["MFA code_verifier"] = request.CodeVerifier;
            secrets["MFA access token"] = redeemed["access_token"]!;
            secrets["MFA id token"] = redeemed["id_token"]!;
            codes.Add(totp);
        }

        // Registration with its verification link, then a reset-password link.
        var email = NewAddress("telemetry");
        const string registrationPassword = "seven lilac kites over the harbour";
        const string newPassword = "a fresh passphrase after the reset link";
        await RegisterAndVerifyAsync(Host, email, registrationPassword);
        var verification = Links(Newest(Host, email))[0];
        using (var browser = Host.CreateBrowser())
        {
            await ForgotPasswordAsync(browser, email);
            var reset = Links(Newest(Host, email))[0];
            var done = await ResetPasswordAsync(browser, reset, newPassword);
            Assert.NotNull(done.Document.GetElementById("reset-done"));
            await browser.SignInAsync(email, newPassword);
            secrets["registration password"] = registrationPassword;
            secrets["new password"] = newPassword;
            secrets["verification link token"] = LinkToken(verification);
            secrets["verification link"] = verification.PathAndQuery;
            secrets["reset link token"] = LinkToken(reset);
            secrets["reset link"] = reset.PathAndQuery;
        }

        var metrics = await ScrapeTextAsync();
        var texts = fixture.Logs.Entries.Select(entry => $"log {entry.Category} {entry.Level}: {entry.Text}")
            .Concat(fixture.Spans.Snapshot().Select(SpanText))
            .Append("metrics: " + metrics)
            .ToList();

        Assert.Contains(fixture.Logs.Entries, entry => entry.Level == Microsoft.Extensions.Logging.LogLevel.Trace); // Trace really is captured
        var leaks = secrets
            .SelectMany(secret => texts.Where(text => Contains(text, secret.Value)).Select(text => $"{secret.Key} in {Shorten(text)}"))
            .Concat(codes.SelectMany(code => texts.Where(text => StandaloneNumber(code).IsMatch(text)).Select(text => $"TOTP code in {Shorten(text)}")))
            .ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks.Take(20)));
    }

    private async Task<string> ScrapeTextAsync()
    {
        using var client = fixture.CreateManagementClient();
        return await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
    }

    private static string SpanText(System.Diagnostics.Activity span) =>
        $"span {span.Source.Name} {span.DisplayName} {span.OperationName} {string.Join(" ", span.TagObjects.Select(tag => $"{tag.Key}={tag.Value}"))} " +
        string.Join(" ", span.Events.Select(e => $"{e.Name} {string.Join(" ", e.Tags.Select(tag => $"{tag.Key}={tag.Value}"))}")) +
        string.Join(" ", span.Baggage.Select(item => $"{item.Key}={item.Value}"));

    /// <summary>The value itself, or the way it would appear URL-encoded.</summary>
    private static bool Contains(string text, string secret) =>
        text.Contains(secret, StringComparison.Ordinal) || text.Contains(Uri.EscapeDataString(secret), StringComparison.Ordinal) ||
        text.Contains(secret.Replace(' ', '+'), StringComparison.Ordinal);

    private static string LinkToken(Uri link) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query)["code"].ToString();

    /// <summary>A six-digit code as a number on its own (not inside a longer number, an id or a hex string).</summary>
    private static Regex StandaloneNumber(string code) => new($"(?<![0-9A-Za-z.]){code}(?![0-9A-Za-z])", RegexOptions.None, TimeSpan.FromSeconds(5));

    private static string Shorten(string text) => text.Length > 400 ? text[..400] : text;
}
