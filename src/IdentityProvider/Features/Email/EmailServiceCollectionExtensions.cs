using Microsoft.Extensions.Options;

namespace OnePass.IdentityProvider.Features.Email;

public static class EmailServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="IEmailSender"/>: SMTP (<see cref="SmtpEmailSender"/>) when <c>OnePass:Email:Smtp:Host</c> is set,
    /// otherwise the pickup folder. The settings are checked at start (<see cref="EmailOptionsValidator"/>).
    /// </summary>
    public static IHostApplicationBuilder AddOnePassEmail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();
        builder.Services.AddSingleton<PickupFolderEmailSender>();
        builder.Services.AddSingleton<SmtpEmailSender>();
        builder.Services.AddSingleton<IEmailSender>(services =>
            string.IsNullOrWhiteSpace(services.GetRequiredService<IOptions<EmailOptions>>().Value.Smtp.Host)
                ? services.GetRequiredService<PickupFolderEmailSender>()
                : services.GetRequiredService<SmtpEmailSender>());
        return builder;
    }
}

/// <summary>Checks <c>OnePass:Email</c> at start, with a message naming the setting.</summary>
internal sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!EmailMessages.IsMailbox(options.From))
        {
            failures.Add($"OnePass__Email__From must be one mailbox address such as 'OnePass <no-reply@login.example.gov>' (got '{options.From}').");
        }

        var smtp = options.Smtp ?? new SmtpOptions();
        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            if (string.IsNullOrWhiteSpace(options.PickupDirectory))
            {
                failures.Add("OnePass__Email__PickupDirectory must be a folder when OnePass__Email__Smtp__Host is not set.");
            }

            return Result(failures);
        }

        if (smtp.Port is < 1 or > 65535)
        {
            failures.Add($"OnePass__Email__Smtp__Port must be between 1 and 65535 (got {smtp.Port}).");
        }

        if (!SmtpSecurity.IsKnown(smtp.Security))
        {
            failures.Add($"OnePass__Email__Smtp__Security must be {SmtpSecurity.StartTls}, {SmtpSecurity.SslOnConnect} or {SmtpSecurity.None} (got '{smtp.Security}').");
        }
        else if (SmtpSecurity.Is(smtp.Security, SmtpSecurity.None) && !SmtpEmailSender.IsLoopback(smtp.Host))
        {
            failures.Add($"OnePass__Email__Smtp__Security=None sends mail and credentials unencrypted: it is allowed only for a relay on loopback (localhost, 127.0.0.1, ::1), not '{smtp.Host}'. Use {SmtpSecurity.StartTls} or {SmtpSecurity.SslOnConnect}.");
        }

        if (string.IsNullOrEmpty(smtp.Username) != string.IsNullOrEmpty(smtp.Password))
        {
            failures.Add("OnePass__Email__Smtp__Username and OnePass__Email__Smtp__Password must be set together.");
        }

        return Result(failures);
    }

    private static ValidateOptionsResult Result(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
}
