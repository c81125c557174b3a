using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Features.Email;

namespace OnePass.IdentityProvider.Tests.Email;

/// <summary><c>OnePass:Email</c> is checked when the host starts, with a message naming the setting.</summary>
public sealed class EmailOptionsTests
{
    private static async Task<OptionsValidationException?> StartAsync(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Select(setting => KeyValuePair.Create($"OnePass:Email:{setting.Key}", (string?)setting.Value)));
        builder.AddOnePassEmail();
        using var host = builder.Build();
        try
        {
            await host.StartAsync();
            await host.StopAsync();
            return null;
        }
        catch (OptionsValidationException exception)
        {
            return exception;
        }
    }

    [Fact]
    public async Task Start_Defaults_Succeeds()
    {
        Assert.Null(await StartAsync());
    }

    [Theory]
    [InlineData(SmtpSecurity.StartTls, "smtp.example.gov", "587")]
    [InlineData(SmtpSecurity.SslOnConnect, "smtp.example.gov", "465")]
    [InlineData("starttls", "smtp.example.gov", "25")]
    [InlineData(SmtpSecurity.None, "localhost", "25")]
    [InlineData(SmtpSecurity.None, "127.0.0.1", "1")]
    [InlineData(SmtpSecurity.None, "::1", "65535")]
    public async Task Start_ValidSmtpSettings_Succeeds(string security, string host, string port)
    {
        Assert.Null(await StartAsync(("Smtp:Host", host), ("Smtp:Port", port), ("Smtp:Security", security), ("Smtp:Username", "mailer"), ("Smtp:Password", "secret")));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("-25")]
    public async Task Start_SmtpPortOutOfRange_FailsNamingThePortSetting(string port)
    {
        var failure = await StartAsync(("Smtp:Host", "smtp.example.gov"), ("Smtp:Port", port));

        Assert.NotNull(failure);
        Assert.Contains($"OnePass__Email__Smtp__Port must be between 1 and 65535 (got {port})", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Tls")]
    [InlineData("StartTlsWhenAvailable")]
    [InlineData("Auto")]
    public async Task Start_UnknownSmtpSecurity_FailsListingTheThreeValues(string security)
    {
        var failure = await StartAsync(("Smtp:Host", "smtp.example.gov"), ("Smtp:Security", security));

        Assert.NotNull(failure);
        Assert.Contains($"OnePass__Email__Smtp__Security must be StartTls, SslOnConnect or None (got '{security}')", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("smtp.example.gov")]
    [InlineData("10.0.0.5")]
    [InlineData("localhost.evil.example")]
    public async Task Start_SecurityNoneToAHostThatIsNotLoopback_FailsNamingTheHost(string host)
    {
        var failure = await StartAsync(("Smtp:Host", host), ("Smtp:Security", "None"));

        Assert.NotNull(failure);
        Assert.Contains("OnePass__Email__Smtp__Security=None", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"not '{host}'", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-reply")]
    [InlineData("a@example.gov, b@example.gov")]
    [InlineData("OnePass <no-reply@example.gov>\r\nBcc: attacker@evil.example")]
    [InlineData("")]
    public async Task Start_FromNotOneMailbox_FailsNamingTheFromSetting(string from)
    {
        var failure = await StartAsync(("From", from));

        Assert.NotNull(failure);
        Assert.Contains("OnePass__Email__From must be one mailbox address", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Smtp:Username", "mailer")]
    [InlineData("Smtp:Password", "secret")]
    public async Task Start_OnlyOneOfUsernameAndPassword_FailsWithoutShowingThePassword(string key, string value)
    {
        var failure = await StartAsync(("Smtp:Host", "smtp.example.gov"), (key, value));

        Assert.NotNull(failure);
        Assert.Contains("OnePass__Email__Smtp__Username and OnePass__Email__Smtp__Password must be set together", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NoSmtpHostAndEmptyPickupDirectory_FailsNamingThePickupSetting()
    {
        var failure = await StartAsync(("PickupDirectory", " "));

        Assert.NotNull(failure);
        Assert.Contains("OnePass__Email__PickupDirectory", failure.Message, StringComparison.Ordinal);
    }
}
