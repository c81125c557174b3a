using System.Net;
using System.Text.RegularExpressions;
using MimeKit;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Account.Registration;

/// <summary>
/// What registration and recovery tests share: filling the forms the way a citizen would, and reading the
/// e-mails the host wrote to its pickup folder.
/// </summary>
public static partial class AccountMail
{
    public const string StrongPassword = "purple elephants dance on tuesday";

    public static string NewAddress(string tag = "citizen") => $"{tag}-{Guid.NewGuid():N}@example.org";

    /// <summary>Every message sent to <paramref name="address"/>, oldest first (file names start with the time).</summary>
    public static IReadOnlyList<MimeMessage> To(OnePassHost host, string address)
    {
        if (!Directory.Exists(host.MailDirectory))
        {
            return [];
        }

        return [.. Directory.GetFiles(host.MailDirectory, "*.eml")
            .Order(StringComparer.Ordinal)
            .Select(path => MimeMessage.Load(path))
            .Where(message => message.To.Mailboxes.Any(mailbox => string.Equals(mailbox.Address, address, StringComparison.OrdinalIgnoreCase)))];
    }

    public static MimeMessage Newest(OnePassHost host, string address) =>
        To(host, address) is [.., var last] ? last : throw new InvalidOperationException($"No e-mail to {address}.");

    /// <summary>The links in the message's text, in order.</summary>
    public static IReadOnlyList<Uri> Links(MimeMessage message) =>
        [.. LinkPattern().Matches(message.TextBody ?? string.Empty).Select(match => new Uri(match.Value))];

    public static async Task<BrowserPage> RegisterAsync(BrowserClient browser, string email, string password = StrongPassword,
        string name = "Kim Citizen", string? confirm = null, string? returnUrl = null)
    {
        var page = await browser.NavigateAsync(returnUrl is null ? "/account/register" : "/account/register?ReturnUrl=" + Uri.EscapeDataString(returnUrl));
        return await browser.SubmitAsync(page, new Dictionary<string, string>
        {
            ["email"] = email,
            ["name"] = name,
            ["password"] = password,
            ["confirmPassword"] = confirm ?? password,
        });
    }

    /// <summary>Registers and follows the link from the e-mail, pressing "confirm".</summary>
    public static async Task<BrowserPage> RegisterAndVerifyAsync(OnePassHost host, string email, string password = StrongPassword)
    {
        using var browser = host.CreateBrowser();
        await RegisterAsync(browser, email, password);
        return await FollowVerificationAsync(browser, Newest(host, email));
    }

    public static async Task<BrowserPage> FollowVerificationAsync(BrowserClient browser, MimeMessage message)
    {
        var page = await browser.NavigateAsync(Links(message)[0].PathAndQuery);
        return await browser.SubmitAsync(page, new Dictionary<string, string>());
    }

    public static async Task<BrowserPage> ForgotPasswordAsync(BrowserClient browser, string email)
    {
        var page = await browser.NavigateAsync("/account/forgot-password");
        return await browser.SubmitAsync(page, new Dictionary<string, string> { ["email"] = email });
    }

    public static async Task<BrowserPage> ResetPasswordAsync(BrowserClient browser, Uri link, string password, string? confirm = null)
    {
        var page = await browser.NavigateAsync(link.PathAndQuery);
        if (page.Document.QuerySelector("input[name=password]") is null)
        {
            return page;
        }

        return await browser.SubmitAsync(page, new Dictionary<string, string> { ["password"] = password, ["confirmPassword"] = confirm ?? password });
    }

    /// <summary>True when the browser holds a live OnePass session (the account pages open instead of sending it to sign in).</summary>
    public static async Task<bool> IsSignedInAsync(BrowserClient browser) =>
        (await browser.GetAsync("/account/sessions")).StatusCode == HttpStatusCode.OK;

    /// <summary>A page's HTML with its per-request antiforgery tokens (Data Protection payloads) blanked.</summary>
    public static string WithoutTokens(string html) => TokenPattern().Replace(html, "value=\"TOKEN\"");

    public static IReadOnlyList<string> CookieNames(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? [.. values.Select(value => value.Split('=', 2)[0]).Order(StringComparer.Ordinal)] : [];

    [GeneratedRegex(@"https?://[^\s]+")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"value=""CfDJ8[^""]*""")]
    private static partial Regex TokenPattern();
}
