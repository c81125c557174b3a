using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Utils;

namespace OnePass.IdentityProvider.Features.Email;

/// <summary>One e-mail to one citizen: a plain-text body and an optional HTML alternative (issue 6).</summary>
public sealed record EmailMessage(string To, string Subject, string TextBody, string? HtmlBody = null);

/// <summary>
/// Sends OnePass's e-mails (address verification, password reset, notices). Two backings: a pickup folder
/// of <c>.eml</c> files by default, so the embedded default needs no mail server and tests read what was
/// sent; SMTP through MailKit when <c>OnePass__Email__Smtp__Host</c> is set.
/// </summary>
/// <remarks>
/// A message that cannot be built (an address that is not one mailbox, CR/LF in the subject) throws
/// <see cref="ArgumentException"/>; a message that cannot be delivered throws <see cref="EmailDeliveryException"/>.
/// </remarks>
public interface IEmailSender
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default);
}

/// <summary>The <c>OnePass:Email</c> configuration section.</summary>
public sealed class EmailOptions
{
    public const string SectionName = "OnePass:Email";

    /// <summary>The sender, e.g. <c>OnePass &lt;no-reply@login.example.gov&gt;</c>.</summary>
    public string From { get; set; } = "OnePass <no-reply@onepass.invalid>";

    /// <summary>Where the pickup backing writes <c>.eml</c> files, relative to the content root.</summary>
    public string PickupDirectory { get; set; } = "data/mail";

    public SmtpOptions Smtp { get; set; } = new();
}

public sealed class SmtpOptions
{
    /// <summary>When set, mail goes over SMTP instead of to the pickup folder.</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary><c>StartTls</c> (default), <c>SslOnConnect</c>, or <c>None</c> (loopback relays only).</summary>
    public string Security { get; set; } = SmtpSecurity.StartTls;

    public string? Username { get; set; }

    public string? Password { get; set; }
}

/// <summary>The values of <see cref="SmtpOptions.Security"/> (compared without regard to case).</summary>
public static class SmtpSecurity
{
    public const string StartTls = "StartTls";
    public const string SslOnConnect = "SslOnConnect";
    public const string None = "None";

    public static IReadOnlyList<string> All { get; } = [StartTls, SslOnConnect, None];

    public static bool IsKnown(string? value) => All.Any(known => string.Equals(known, value, StringComparison.OrdinalIgnoreCase));

    public static bool Is(string? value, string known) => string.Equals(value, known, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// An e-mail could not be delivered (mail server down, refused, timed out). An <see cref="IOException"/>, like a
/// pickup folder that cannot be written, so callers handle both backings' failures with one catch.
/// </summary>
public sealed class EmailDeliveryException : IOException
{
    public EmailDeliveryException()
    {
    }

    public EmailDeliveryException(string message) : base(message)
    {
    }

    public EmailDeliveryException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>
/// Writes each message as an RFC 5322 file <c>{time}-{random}.eml</c> into the pickup folder; a mail
/// server's pickup service, a developer or a test reads it from there.
/// </summary>
public sealed class PickupFolderEmailSender(IOptions<EmailOptions> options, IHostEnvironment environment, TimeProvider time) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var now = time.GetUtcNow();
        using var mime = EmailMessages.ToMime(message, options.Value.From, now);
        var folder = Path.GetFullPath(options.Value.PickupDirectory, environment.ContentRootPath);
        Directory.CreateDirectory(folder);
        var name = $"{now:yyyyMMddTHHmmssfff}-{Guid.NewGuid():N}";

        // Written under a name that does not end in .eml and then renamed, so a reader of *.eml never
        // sees half a message; a write that fails leaves nothing behind.
        var partial = Path.Combine(folder, name + ".partial");
        try
        {
            await mime.WriteToAsync(partial, cancellationToken);
            File.Move(partial, Path.Combine(folder, name + ".eml"));
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }
}

public static class EmailMessages
{
    /// <summary>
    /// The MIME message for <paramref name="message"/>: one sender, one recipient, a <c>Date</c> and a
    /// <c>Message-Id</c> in the sender's domain, the text body and, when given, an HTML alternative.
    /// </summary>
    /// <exception cref="ArgumentException">An address is not exactly one mailbox, or an address or the subject holds a line break.</exception>
    public static MimeMessage ToMime(EmailMessage message, string from, DateTimeOffset? date = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(message.Subject);
        ArgumentNullException.ThrowIfNull(message.TextBody);
        if (HasLineBreak(message.Subject))
        {
            throw new ArgumentException("An e-mail subject must not contain a line break.", nameof(message));
        }

        var sender = Mailbox(from, "sender");
        var recipient = Mailbox(message.To, "recipient");
        var body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody };
        var mime = new MimeMessage
        {
            Subject = message.Subject,
            Body = body.ToMessageBody(),
            Date = date ?? DateTimeOffset.UtcNow,
            MessageId = MimeUtils.GenerateMessageId(sender.Domain),
        };
        mime.From.Add(sender);
        mime.To.Add(recipient);
        return mime;
    }

    /// <summary>True when <paramref name="text"/> is exactly one mailbox with a domain and no line break.</summary>
    public static bool IsMailbox(string? text) => TryParseMailbox(text, out _);

    private static MailboxAddress Mailbox(string? text, string role) => TryParseMailbox(text, out var mailbox)
        ? mailbox
        : throw new ArgumentException($"The {role} of an e-mail must be one mailbox address (name@domain), without line breaks.", nameof(text));

    private static bool TryParseMailbox(string? text, out MailboxAddress mailbox)
    {
        mailbox = null!;
        if (string.IsNullOrWhiteSpace(text) || HasLineBreak(text) || !MailboxAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        mailbox = parsed;
        return !string.IsNullOrEmpty(parsed.Domain) && !string.IsNullOrEmpty(parsed.LocalPart);
    }

    private static bool HasLineBreak(string text) => text.AsSpan().IndexOfAny('\r', '\n') >= 0;
}
