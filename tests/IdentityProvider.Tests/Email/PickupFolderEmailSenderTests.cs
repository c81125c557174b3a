using Microsoft.Extensions.Time.Testing;
using OnePass.IdentityProvider.Features.Email;

namespace OnePass.IdentityProvider.Tests.Email;

/// <summary>The default backing writes one complete, parseable .eml file per message (issue 6 item 1).</summary>
public sealed class PickupFolderEmailSenderTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 14, 9, 26, 53, TimeSpan.Zero);
    private readonly string _root = Directory.CreateTempSubdirectory("onepass-mail-").FullName;
    private readonly FakeTimeProvider _time = new(Now);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Folder => Path.Combine(_root, "mail");

    private PickupFolderEmailSender Sender() => new(Mail.Options(options => options.PickupDirectory = "mail"), Mail.Environment(_root), _time);

    [Fact]
    public async Task SendAsync_OneMessage_WritesOneEmlFileInThePickupFolderUnderTheContentRoot()
    {
        await Sender().SendAsync(Mail.Sample());

        var file = Assert.Single(Directory.GetFiles(_root, "*", SearchOption.AllDirectories));
        Assert.Equal(Folder, Path.GetDirectoryName(file));
        Assert.EndsWith(".eml", file, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_KoreanAndFrenchMessage_FileParsesWithSenderRecipientSubjectAndBothBodiesIntact()
    {
        var message = Mail.Sample();

        await Sender().SendAsync(message);

        var mime = Mail.Load(Assert.Single(Directory.GetFiles(Folder, "*.eml")));
        Assert.Equal("no-reply@login.example.gov", Assert.Single(mime.From.Mailboxes).Address);
        Assert.Equal("OnePass", Assert.Single(mime.From.Mailboxes).Name);
        Assert.Equal(message.To, Assert.Single(mime.To.Mailboxes).Address);
        Assert.Equal(message.Subject, mime.Subject);
        Assert.Equal(Mail.Lines(message.TextBody), Mail.Lines(mime.TextBody).TrimEnd('\n'));
        Assert.Equal(Mail.Lines(message.HtmlBody), Mail.Lines(mime.HtmlBody).TrimEnd('\n'));
    }

    [Fact]
    public async Task SendAsync_TextOnlyMessage_FileHasNoHtmlPart()
    {
        await Sender().SendAsync(Mail.Sample() with { HtmlBody = null });

        var mime = Mail.Load(Assert.Single(Directory.GetFiles(Folder, "*.eml")));
        Assert.Null(mime.HtmlBody);
        Assert.Contains("김시민", mime.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_AnyMessage_CarriesDateFromTheClockAndMessageIdInTheSenderDomain()
    {
        await Sender().SendAsync(Mail.Sample());

        var mime = Mail.Load(Assert.Single(Directory.GetFiles(Folder, "*.eml")));
        Assert.Equal(Now, mime.Date);
        Assert.EndsWith("@login.example.gov", mime.MessageId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_ConcurrentSendsAtTheSameInstant_WriteDistinctCompleteFiles()
    {
        var sender = Sender();
        var messages = Enumerable.Range(0, 40).Select(index => Mail.Sample($"citizen{index}@example.test")).ToList();

        await Task.WhenAll(messages.Select(message => Task.Run(() => sender.SendAsync(message))));

        var files = Directory.GetFiles(Folder);
        Assert.Equal(messages.Count, files.Length);
        Assert.All(files, file => Assert.EndsWith(".eml", file, StringComparison.Ordinal));
        var loaded = files.Select(Mail.Load).ToList();
        Assert.Equal(messages.Select(message => message.To).Order(), loaded.Select(mime => Assert.Single(mime.To.Mailboxes).Address).Order());
        Assert.Equal(messages.Count, loaded.Select(mime => mime.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task SendAsync_Cancelled_LeavesNoPartialFile()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Sender().SendAsync(Mail.Sample(), cancelled.Token));

        Assert.Empty(Directory.Exists(Folder) ? Directory.GetFiles(Folder) : []);
    }

    [Fact]
    public async Task SendAsync_PickupFolderPathIsAFile_ThrowsIOExceptionAndWritesNothing()
    {
        Directory.CreateDirectory(Folder);
        var sender = new PickupFolderEmailSender(Mail.Options(options => options.PickupDirectory = Path.Combine("mail", "blocked")), Mail.Environment(_root), _time);
        await File.WriteAllTextAsync(Path.Combine(Folder, "blocked"), "a file where the folder should be");

        await Assert.ThrowsAnyAsync<IOException>(() => sender.SendAsync(Mail.Sample()));

        Assert.Equal([Path.Combine(Folder, "blocked")], Directory.GetFiles(Folder, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("Reset\r\nBcc: attacker@evil.example")]
    [InlineData("Reset\nBcc: attacker@evil.example")]
    [InlineData("Reset\rBcc: attacker@evil.example")]
    public async Task SendAsync_SubjectWithLineBreak_ThrowsAndWritesNothing(string subject)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Sender().SendAsync(Mail.Sample() with { Subject = subject }));

        Assert.False(Directory.Exists(Folder) && Directory.EnumerateFileSystemEntries(Folder).Any());
    }
}
