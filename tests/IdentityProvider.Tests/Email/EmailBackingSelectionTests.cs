using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Features.Email;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Email;

/// <summary>The whole application picks the backing from configuration: SMTP when a host is set, else the pickup folder.</summary>
public sealed class EmailBackingSelectionTests
{
    [Fact]
    public async Task Host_WithoutSmtpHost_WritesMailToThePickupFolder()
    {
        using var host = new OnePassHost();
        host.EnsureStarted();
        var sender = host.Services.GetRequiredService<IEmailSender>();

        await sender.SendAsync(Mail.Sample());

        Assert.IsType<PickupFolderEmailSender>(sender);
        var mime = Mail.Load(Assert.Single(Directory.GetFiles(host.MailDirectory, "*.eml")));
        Assert.Equal("kim.citizen@example.test", Assert.Single(mime.To.Mailboxes).Address);
    }

    [Fact]
    public async Task Host_WithSmtpHost_SendsOverSmtpAndWritesNoFile()
    {
        await using var server = new TinySmtpServer();
        using var host = new OnePassHost(new OnePassHostOptions
        {
            Settings =
            {
                ["OnePass:Email:From"] = Mail.From,
                ["OnePass:Email:Smtp:Host"] = "127.0.0.1",
                ["OnePass:Email:Smtp:Port"] = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["OnePass:Email:Smtp:Security"] = "None",
            },
        });
        host.EnsureStarted();
        var sender = host.Services.GetRequiredService<IEmailSender>();

        await sender.SendAsync(Mail.Sample());

        Assert.IsType<SmtpEmailSender>(sender);
        var mime = Mail.Load((await server.NextMessageAsync()).Data);
        Assert.Equal("no-reply@login.example.gov", Assert.Single(mime.From.Mailboxes).Address);
        Assert.False(Directory.Exists(host.MailDirectory) && Directory.EnumerateFiles(host.MailDirectory).Any());
    }

    [Fact]
    public void Host_WithInvalidEmailSetting_DoesNotStart()
    {
        using var host = new OnePassHost(new OnePassHostOptions
        {
            Settings = { ["OnePass:Email:Smtp:Host"] = "smtp.example.gov", ["OnePass:Email:Smtp:Port"] = "70000" },
        });

        var exception = Assert.ThrowsAny<Exception>(host.EnsureStarted);

        Assert.Contains("OnePass__Email__Smtp__Port", exception.ToString(), StringComparison.Ordinal);
    }
}
