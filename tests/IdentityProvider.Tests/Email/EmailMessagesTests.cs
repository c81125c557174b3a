using MimeKit;
using OnePass.IdentityProvider.Features.Email;

namespace OnePass.IdentityProvider.Tests.Email;

/// <summary>Header hygiene of every outgoing message: no header injection, one sender, one recipient, Date, Message-Id.</summary>
public sealed class EmailMessagesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 14, 9, 26, 53, TimeSpan.Zero);

    [Theory]
    [InlineData("Reset\r\nBcc: attacker@evil.example")]
    [InlineData("Reset\nBcc: attacker@evil.example")]
    [InlineData("Reset\rBcc: attacker@evil.example")]
    public void ToMime_SubjectWithLineBreak_Throws(string subject)
    {
        Assert.Throws<ArgumentException>(() => EmailMessages.ToMime(Mail.Sample() with { Subject = subject }, Mail.From, Now));
    }

    [Theory]
    [InlineData("kim@example.test\r\nBcc: attacker@evil.example")]
    [InlineData("kim@example.test\nBcc: attacker@evil.example")]
    [InlineData("Kim\r\n <kim@example.test>")]
    [InlineData("kim@example.test, attacker@evil.example")]
    [InlineData("kim@example.test; attacker@evil.example")]
    [InlineData("undisclosed-recipients:;")]
    [InlineData("kim")]
    [InlineData("")]
    [InlineData("   ")]
    public void ToMime_RecipientNotExactlyOneMailbox_Throws(string to)
    {
        Assert.Throws<ArgumentException>(() => EmailMessages.ToMime(Mail.Sample(to), Mail.From, Now));
    }

    [Theory]
    [InlineData("OnePass <no-reply@login.example.gov>\r\nBcc: attacker@evil.example")]
    [InlineData("no-reply@login.example.gov\nReply-To: attacker@evil.example")]
    [InlineData("no-reply")]
    public void ToMime_SenderWithLineBreakOrWithoutDomain_Throws(string from)
    {
        Assert.Throws<ArgumentException>(() => EmailMessages.ToMime(Mail.Sample(), from, Now));
    }

    [Fact]
    public void ToMime_RecipientWithDisplayName_KeepsOnlyThatMailbox()
    {
        using var mime = EmailMessages.ToMime(Mail.Sample("\"Kim, Citizen\" <kim@example.test>"), Mail.From, Now);

        var mailbox = Assert.Single(mime.To.Mailboxes);
        Assert.Equal("kim@example.test", mailbox.Address);
        Assert.Equal("Kim, Citizen", mailbox.Name);
    }

    [Fact]
    public void ToMime_AnyMessage_HasDateAndMessageIdInTheSenderDomain()
    {
        using var mime = EmailMessages.ToMime(Mail.Sample(), Mail.From, Now);

        Assert.Equal(Now, mime.Date);
        Assert.Matches("^[^@<>\\s]+@login\\.example\\.gov$", mime.MessageId);
    }

    [Fact]
    public void ToMime_TwoMessages_HaveDistinctMessageIds()
    {
        using var first = EmailMessages.ToMime(Mail.Sample(), Mail.From, Now);
        using var second = EmailMessages.ToMime(Mail.Sample(), Mail.From, Now);

        Assert.NotEqual(first.MessageId, second.MessageId);
    }

    [Fact]
    public async Task ToMime_LongUnicodeSubjectWrittenAndReadBack_IsOneSubjectHeaderWithTheSameText()
    {
        var subject = string.Concat(Enumerable.Repeat("비밀번호 재설정 · Réinitialisation « été » ", 8)).Trim();
        using var mime = EmailMessages.ToMime(Mail.Sample() with { Subject = subject }, Mail.From, Now);
        using var buffer = new MemoryStream();

        await mime.WriteToAsync(buffer);
        buffer.Position = 0;
        var read = await MimeMessage.LoadAsync(buffer);

        Assert.Equal(subject, read.Subject);
        Assert.Single(read.Headers, header => header.Id == HeaderId.Subject);
        Assert.All(read.Headers, header => Assert.True(header.Id is HeaderId.From or HeaderId.To or HeaderId.Subject or HeaderId.Date or HeaderId.MessageId or HeaderId.MimeVersion or HeaderId.ContentType, $"unexpected header {header.Field}"));
    }

    [Theory]
    [InlineData("OnePass <no-reply@login.example.gov>", true)]
    [InlineData("no-reply@login.example.gov", true)]
    [InlineData("\"공공 OnePass\" <no-reply@login.example.gov>", true)]
    [InlineData("no-reply", false)]
    [InlineData("a@example.gov, b@example.gov", false)]
    [InlineData("a@example.gov\r\nBcc: b@example.gov", false)]
    [InlineData("", false)]
    public void IsMailbox_Text_IsTrueOnlyForOneMailboxWithDomain(string text, bool expected)
    {
        Assert.Equal(expected, EmailMessages.IsMailbox(text));
    }
}
