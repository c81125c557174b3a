using Microsoft.Extensions.Options;
using MimeKit;

namespace OnePass.IdentityProvider.Features.Email;

/// <summary>One e-mail to one citizen: a plain-text body and an optional HTML alternative (issue 6).</summary>
public sealed record EmailMessage(string To, string Subject, string TextBody, string? HtmlBody = null);

/// <summary>
/// Sends OnePass's e-mails (address verification, password reset, notices). Two backings: a pickup folder
/// of <c>.eml</c> files by default, so the embedded default needs no mail server and tests read what was
/// sent; SMTP through MailKit when <c>OnePass__Email__Smtp__Host</c> is set.
/// </summary>
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
    public string Security { get; set; } = "StartTls";

    public string? Username { get; set; }

    public string? Password { get; set; }
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
        var folder = Path.GetFullPath(options.Value.PickupDirectory, environment.ContentRootPath);
        Directory.CreateDirectory(folder);
        var name = $"{time.GetUtcNow():yyyyMMddTHHmmssfff}-{Guid.NewGuid():N}.eml";

        // Written under a temporary name and renamed, so a reader never sees half a message.
        var partial = Path.Combine(folder, name + ".tmp");
        using (var mime = EmailMessages.ToMime(message, options.Value.From))
        {
            await mime.WriteToAsync(partial, cancellationToken);
        }

        File.Move(partial, Path.Combine(folder, name));
    }
}

public static class EmailMessages
{
    public static MimeMessage ToMime(EmailMessage message, string from)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody };
        var mime = new MimeMessage { Subject = message.Subject, Body = body.ToMessageBody() };
        mime.From.Add(MailboxAddress.Parse(from));
        mime.To.Add(MailboxAddress.Parse(message.To));
        return mime;
    }
}

public static class EmailServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddOnePassEmail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.SectionName);
        builder.Services.AddSingleton<IEmailSender, PickupFolderEmailSender>();
        return builder;
    }
}
