using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using MimeKit;
using OnePass.IdentityProvider.Features.Email;

namespace OnePass.IdentityProvider.Tests.Email;

/// <summary>Sample messages and helpers shared by the e-mail tests.</summary>
internal static class Mail
{
    public const string From = "OnePass <no-reply@login.example.gov>";

    public const string Link = "https://login.example.gov/account/reset?token=CfDJ8-secret-reset-token-0123456789";

    /// <summary>Korean, French and a link that must never reach a log.</summary>
    public static EmailMessage Sample(string to = "kim.citizen@example.test") => new(
        to,
        "비밀번호 재설정 · Réinitialisez votre mot de passe",
        $"안녕하세요, 김시민님.\nVoici le lien « réinitialiser » : {Link}\nÀ bientôt — l'équipe OnePass.",
        $"<p>안녕하세요, 김시민님.</p><p><a href=\"{Link}\">Réinitialiser — été, où, ç</a></p>");

    public static IOptions<EmailOptions> Options(Action<EmailOptions>? configure = null)
    {
        var options = new EmailOptions { From = From };
        configure?.Invoke(options);
        return Microsoft.Extensions.Options.Options.Create(options);
    }

    public static HostingEnvironment Environment(string contentRoot) => new() { ContentRootPath = contentRoot, EnvironmentName = "Development" };

    public static MimeMessage Load(string path)
    {
        using var stream = File.OpenRead(path);
        return MimeMessage.Load(stream);
    }

    public static MimeMessage Load(byte[] data)
    {
        using var stream = new MemoryStream(data);
        return MimeMessage.Load(stream);
    }

    /// <summary>Normalises line ends: MIME text travels with CRLF.</summary>
    public static string Lines(string? text) => (text ?? string.Empty).Replace("\r\n", "\n", StringComparison.Ordinal);
}
