using System.Buffers.Text;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.IdentityProvider.Infrastructure;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Sessions.Store;

/// <summary>
/// The rules of <see cref="SsoSessionStore"/> (keys, idle and absolute expiry, fixation guards, the
/// per-user index, single-logout triggers), run over each <see cref="ISessionStorage"/> backing: the
/// same behaviour in process and in Redis. The store is built directly, with a fake clock.
/// </summary>
public abstract class SsoSessionStoreTests : IAsyncLifetime
{
    protected static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);
    protected static readonly TimeSpan AbsoluteLifetime = TimeSpan.FromHours(2);
    protected static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    private readonly ServiceProvider _services = new ServiceCollection().AddSingleton<LogoutDispatchSignal>().BuildServiceProvider();
    private readonly IDataProtectionProvider _dataProtection = new EphemeralDataProtectionProvider();

    protected SsoSessionStoreTests()
    {
        Options = Microsoft.Extensions.Options.Options.Create(new OnePassOptions
        {
            Sessions = new SessionOptions
            {
                IdleTimeout = IdleTimeout,
                AbsoluteLifetime = AbsoluteLifetime,
                TouchInterval = TouchInterval,
                RedisKeyPrefix = Prefix,
            },
        });
    }

    /// <summary>This test's own Redis key prefix, so tests never see each other's keys.</summary>
    protected string Prefix { get; } = $"test:{Guid.NewGuid():N}:";

    protected IOptions<OnePassOptions> Options { get; }

    // Redis expires keys by the real clock, so the fake one starts at the real time (whole milliseconds, as Redis stores them).
    protected FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    protected ISessionStorage Storage { get; private set; } = null!;

    protected SsoSessionStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Storage = await CreateStorageAsync();
        Store = CreateStore(_dataProtection);
    }

    public virtual Task DisposeAsync() => _services.DisposeAsync().AsTask();

    protected abstract Task<ISessionStorage> CreateStorageAsync();

    // --- keys and fixation (AT-16) ------------------------------------------------------------------

    [Fact]
    public async Task StoreAsync_ThenRetrieveAsync_ReturnsTicketWithSameClaims()
    {
        var ticket = NewTicket(Guid.NewGuid(), SessionSignIn.NewSessionId());

        var key = await Store.StoreAsync(ticket);
        var retrieved = await Store.RetrieveAsync(key);

        Assert.NotNull(retrieved);
        Assert.Equal(IdentityConstants.ApplicationScheme, retrieved.AuthenticationScheme);
        Assert.Equal(ClaimsOf(ticket), ClaimsOf(retrieved));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task StoreAsync_AnySession_ReturnsSessionIdDotRandomSecret()
    {
        var sessionId = SessionSignIn.NewSessionId();

        var key = await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));

        var parts = key.Split('.');
        Assert.Equal(2, parts.Length);
        Assert.Equal(sessionId, parts[0]);
        Assert.Equal(24, Base64Url.DecodeFromChars(parts[1]).Length);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task RetrieveAsync_WithWrongSecret_ReturnsNull()
    {
        var sessionId = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));

        var retrieved = await Store.RetrieveAsync($"{sessionId}.{Base64Url.EncodeToString(new byte[24])}");

        Assert.Null(retrieved);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task RetrieveAsync_WithOtherSessionsIdAndThisSecret_ReturnsNull()
    {
        var user = Guid.NewGuid();
        var mine = await Store.StoreAsync(NewTicket(user, SessionSignIn.NewSessionId()));
        var otherId = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(user, otherId));

        var retrieved = await Store.RetrieveAsync($"{otherId}.{SecretOf(mine)}");

        Assert.Null(retrieved);
    }

    public static TheoryData<string> MalformedKeys => new()
    {
        string.Empty,
        ".",
        "abc",
        "abc.",
        ".abc",
        "..",
        "abc.def.ghi",
        new string('a', 65) + ".AAAA",
        "abc." + new string('A', 64),
        "abc.!!!!",
        "abc.a b c",
        "abc.A",
        new string('x', 10 * 1024),
        new string('x', 5 * 1024) + "." + new string('A', 5 * 1024),
    };

    [Theory]
    [MemberData(nameof(MalformedKeys))]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task RetrieveAsync_WithMalformedKey_ReturnsNull(string key)
    {
        await Store.StoreAsync(NewTicket(Guid.NewGuid(), "abc"));

        var retrieved = await Store.RetrieveAsync(key);

        Assert.Null(retrieved);
    }

    public static TheoryData<string> MalformedSecrets => new()
    {
        string.Empty,
        "!!!!",
        "A",
        "====",
        "AAAA",
        new string('A', 32) + "=",
        new string('A', 63),
        new string('A', 10 * 1024),
    };

    [Theory]
    [MemberData(nameof(MalformedSecrets))]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task RetrieveAsync_WithRealSessionIdAndMalformedSecret_ReturnsNull(string secret)
    {
        var sessionId = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));

        var retrieved = await Store.RetrieveAsync($"{sessionId}.{secret}");

        Assert.Null(retrieved);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task RetrieveAsync_WithSessionIdNamingAnotherStorageKey_ReturnsNull()
    {
        var sessionId = SessionSignIn.NewSessionId();
        var key = await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));
        await Store.AddAgencyAsync(sessionId, "tax");

        // An id with a colon would name another Redis key than the session.s own.
        var retrieved = await Store.RetrieveAsync($"{sessionId}:agencies.{SecretOf(key)}");

        Assert.Null(retrieved);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task StoreAsync_AgainForSameSession_OldKeyIsDead()
    {
        var user = Guid.NewGuid();
        var sessionId = SessionSignIn.NewSessionId();
        var first = await Store.StoreAsync(NewTicket(user, sessionId));

        var second = await Store.StoreAsync(NewTicket(user, sessionId, acr: "urn:onepass:loa:2"));

        Assert.NotEqual(first, second);
        Assert.Null(await Store.RetrieveAsync(first));
        Assert.Equal("urn:onepass:loa:2", SessionInfo.From((await Store.RetrieveAsync(second))!.Principal)!.Acr);
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task MoveToNewIdAsync_LiveSession_OldKeyAndCookieDieAndTheSessionLivesOnUnderTheNewId()
    {
        var sessionId = SessionSignIn.NewSessionId();
        var key = await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));
        var newId = SessionSignIn.NewSessionId();

        var sid = await Store.MoveToNewIdAsync(sessionId, newId, CancellationToken.None);

        Assert.Equal(sessionId, sid);
        Assert.Null(await Store.RetrieveAsync(key));
        Assert.Null(await Storage.FindAsync(sessionId, CancellationToken.None));
        var moved = await Storage.FindAsync(newId, CancellationToken.None);
        Assert.NotNull(moved);
        Assert.Equal(sessionId, moved.Sid);
        Assert.Empty(moved.SecretHash); // no cookie works until the sign-in stores the new ticket and secret
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task MoveToNewIdAsync_EndedSession_ReturnsNullAndStoresNothing()
    {
        var user = Guid.NewGuid();
        var sessionId = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(user, sessionId));
        await Store.EndAsync(sessionId, SessionEndReason.SignedOut);
        var newId = SessionSignIn.NewSessionId();

        var sid = await Store.MoveToNewIdAsync(sessionId, newId, CancellationToken.None);

        Assert.Null(sid);
        Assert.Null(await Storage.FindAsync(newId, CancellationToken.None));
        Assert.Empty(await Store.ListForUserAsync(user));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task FindLiveAsync_BySid_AfterTwoReauthentications_FindsTheSessionUnderItsCurrentId()
    {
        var user = Guid.NewGuid();
        var sid = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(user, sid));
        var current = sid;
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var next = SessionSignIn.NewSessionId();
            Assert.Equal(sid, await Store.MoveToNewIdAsync(current, next, CancellationToken.None));
            await Store.StoreAsync(NewTicket(user, next, sid: sid));
            current = next;
        }

        var found = await Store.FindLiveAsync(sid);

        Assert.NotNull(found);
        Assert.Equal(current, found.Id);
        Assert.Equal(sid, found.Sid);
        Assert.Equal([current], (await Store.ListForUserAsync(user)).Select(session => session.Id));
    }

    [Fact]
    public async Task EndAsync_AfterAReauthentication_EndsTheSessionForItsSidToo()
    {
        var user = Guid.NewGuid();
        var sid = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(user, sid));
        var newId = SessionSignIn.NewSessionId();
        await Store.MoveToNewIdAsync(sid, newId, CancellationToken.None);
        await Store.StoreAsync(NewTicket(user, newId, sid: sid));

        var ended = await Store.EndAsync(newId, SessionEndReason.SignedOut);

        Assert.True(ended);
        Assert.Null(await Store.FindLiveAsync(sid));
        Assert.Empty(await Store.ListForUserAsync(user));
    }

    [Fact]
    public async Task RemoveAgencyAsync_OneOfThree_KeepsTheOthersAndTheSession()
    {
        var sessionId = SessionSignIn.NewSessionId();
        var key = await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));
        foreach (var agency in new[] { "ta", "tax", "health" })
        {
            await Store.AddAgencyAsync(sessionId, agency);
        }

        await Storage.RemoveAgencyAsync((await Store.FindLiveAsync(sessionId))!, "tax", CancellationToken.None);

        var session = await Store.FindLiveAsync(sessionId);
        Assert.NotNull(session);
        Assert.Equal(["health", "ta"], session.Agencies.Order(StringComparer.Ordinal));
        Assert.NotNull(await Store.RetrieveAsync(key));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task StoreAsync_AfterMoveForSameUser_GivesWorkingNewKeyAndKeepsCreatedAtAgenciesSidAndIndex()
    {
        var user = Guid.NewGuid();
        var sessionId = SessionSignIn.NewSessionId();
        var created = Time.GetUtcNow();
        var oldKey = await Store.StoreAsync(NewTicket(user, sessionId));
        await Store.AddAgencyAsync(sessionId, "tax");
        await Store.AddAgencyAsync(sessionId, "health");
        Time.Advance(TimeSpan.FromMinutes(5));
        var newId = SessionSignIn.NewSessionId();

        var sid = await Store.MoveToNewIdAsync(sessionId, newId, CancellationToken.None);
        var newKey = await Store.StoreAsync(NewTicket(user, newId, acr: "urn:onepass:loa:2", sid: sid));

        Assert.NotEqual(oldKey, newKey);
        Assert.StartsWith(newId + ".", newKey, StringComparison.Ordinal);
        Assert.Null(await Store.RetrieveAsync(oldKey));
        Assert.NotNull(await Store.RetrieveAsync(newKey));
        var session = Assert.Single(await Store.ListForUserAsync(user));
        Assert.Equal(newId, session.Id);
        Assert.Equal(sessionId, session.Sid);
        Assert.Equal(created, session.CreatedAt);
        Assert.Equal(["health", "tax"], session.Agencies.Order(StringComparer.Ordinal));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task StoreAsync_WithSessionIdOfAnotherUser_ThrowsAndLeavesSessionAlone()
    {
        var sessionId = SessionSignIn.NewSessionId();
        var victimKey = await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId)));

        Assert.NotNull(await Store.RetrieveAsync(victimKey));
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task RenewAsync_WithTicketNamingAnotherSession_LeavesStoredTicketUnchanged()
    {
        var user = Guid.NewGuid();
        var sessionId = SessionSignIn.NewSessionId();
        var key = await Store.StoreAsync(NewTicket(user, sessionId));
        var before = (await Storage.FindAsync(sessionId, CancellationToken.None))!.Ticket;

        await Store.RenewAsync(key, NewTicket(user, SessionSignIn.NewSessionId(), acr: "urn:onepass:loa:2"));

        Assert.Equal(before, (await Storage.FindAsync(sessionId, CancellationToken.None))!.Ticket);
        Assert.Equal(sessionId, SessionInfo.From((await Store.RetrieveAsync(key))!.Principal)!.SessionId);
    }

    [Fact]
    public async Task RenewAsync_WithTicketOfSameSession_ReplacesTicket()
    {
        var user = Guid.NewGuid();
        var sessionId = SessionSignIn.NewSessionId();
        var key = await Store.StoreAsync(NewTicket(user, sessionId));

        await Store.RenewAsync(key, NewTicket(user, sessionId, acr: "urn:onepass:loa:2"));

        Assert.Equal("urn:onepass:loa:2", SessionInfo.From((await Store.RetrieveAsync(key))!.Principal)!.Acr);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-03")]
    public async Task RetrieveAsync_WithTicketFromAnotherKeyRing_ReturnsNull()
    {
        var key = await Store.StoreAsync(NewTicket(Guid.NewGuid(), SessionSignIn.NewSessionId()));
        var storeWithOtherKeys = CreateStore(new EphemeralDataProtectionProvider());

        var retrieved = await storeWithOtherKeys.RetrieveAsync(key);

        Assert.Null(retrieved);
    }

    // --- idle timeout and absolute lifetime ---------------------------------------------------------

    [Fact]
    public async Task RetrieveAsync_AfterIdleTimeout_ReturnsNullAndEndsSession()
    {
        var sessionId = SessionSignIn.NewSessionId();
        var key = await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));
        Time.Advance(IdleTimeout);

        var retrieved = await Store.RetrieveAsync(key);

        Assert.Null(retrieved);
        Assert.Null(await Store.FindLiveAsync(sessionId));
        Assert.Null(await Storage.FindAsync(sessionId, CancellationToken.None));
    }

    [Fact]
    public async Task FindLiveAsync_AfterIdleTimeoutWithoutUse_ReturnsNull()
    {
        var sessionId = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));
        Time.Advance(IdleTimeout);

        var session = await Store.FindLiveAsync(sessionId);

        Assert.Null(session);
    }

    [Fact]
    public async Task RetrieveAsync_UsedWithinIdleTimeout_MovesIdleDeadline()
    {
        var key = await Store.StoreAsync(NewTicket(Guid.NewGuid(), SessionSignIn.NewSessionId()));
        Time.Advance(TimeSpan.FromMinutes(20));
        Assert.NotNull(await Store.RetrieveAsync(key));
        Time.Advance(TimeSpan.FromMinutes(20));

        var retrieved = await Store.RetrieveAsync(key);

        Assert.NotNull(retrieved);
    }

    [Fact]
    public async Task RetrieveAsync_WithinTouchInterval_DoesNotWriteLastSeen()
    {
        var sessionId = SessionSignIn.NewSessionId();
        var stored = Time.GetUtcNow();
        var key = await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));
        Time.Advance(TouchInterval - TimeSpan.FromSeconds(1));

        Assert.NotNull(await Store.RetrieveAsync(key));

        Assert.Equal(stored, (await Storage.FindAsync(sessionId, CancellationToken.None))!.LastSeenAt);
    }

    [Fact]
    public async Task RetrieveAsync_AfterTouchInterval_WritesLastSeen()
    {
        var sessionId = SessionSignIn.NewSessionId();
        var key = await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));
        Time.Advance(TouchInterval);

        Assert.NotNull(await Store.RetrieveAsync(key));

        Assert.Equal(Time.GetUtcNow(), (await Storage.FindAsync(sessionId, CancellationToken.None))!.LastSeenAt);
    }

    [Fact]
    public async Task RetrieveAsync_UsedEveryTenMinutes_EndsAtAbsoluteLifetime()
    {
        var sessionId = SessionSignIn.NewSessionId();
        var key = await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));
        var step = TimeSpan.FromMinutes(10);
        for (var elapsed = step; elapsed < AbsoluteLifetime; elapsed += step)
        {
            Time.Advance(step);
            Assert.NotNull(await Store.RetrieveAsync(key));
        }

        Time.Advance(step);
        var retrieved = await Store.RetrieveAsync(key);

        Assert.Null(retrieved);
        Assert.Null(await Storage.FindAsync(sessionId, CancellationToken.None));
    }

    // --- ending sessions ---------------------------------------------------------------------------

    [Fact]
    public async Task EndAsync_From20ConcurrentTasks_ReturnsTrueExactlyOnce()
    {
        var sessionId = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));

        var results = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(_ => Task.Run(() => Store.EndAsync(sessionId, SessionEndReason.SignedOut))));

        Assert.Single(results, ended => ended);
        Assert.Null(await Storage.FindAsync(sessionId, CancellationToken.None));
    }

    [Fact]
    public async Task RemoveAsync_WithSessionKey_EndsSession()
    {
        var sessionId = SessionSignIn.NewSessionId();
        var key = await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));

        await Store.RemoveAsync(key);

        Assert.Null(await Store.RetrieveAsync(key));
        Assert.Null(await Storage.FindAsync(sessionId, CancellationToken.None));
    }

    [Fact]
    public async Task EndAllForUserAsync_WithExcept_EndsOthersAndKeepsThatOne()
    {
        var user = Guid.NewGuid();
        var keep = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(user, keep));
        var others = new[] { SessionSignIn.NewSessionId(), SessionSignIn.NewSessionId() };
        foreach (var other in others)
        {
            await Store.StoreAsync(NewTicket(user, other));
        }

        var ended = await Store.EndAllForUserAsync(user, SessionEndReason.EndedByUser, except: keep);

        Assert.Equal(2, ended);
        Assert.NotNull(await Store.FindLiveAsync(keep));
        foreach (var other in others)
        {
            Assert.Null(await Storage.FindAsync(other, CancellationToken.None));
        }

        Assert.Equal([keep], (await Store.ListForUserAsync(user)).Select(session => session.Id));
    }

    [Fact]
    public async Task EndExpiredAsync_WithSomeSessionsPastDeadline_EndsExactlyThose()
    {
        var user = Guid.NewGuid();
        var idle = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(user, idle));
        var used = SessionSignIn.NewSessionId();
        var usedKey = await Store.StoreAsync(NewTicket(user, used));
        Time.Advance(TimeSpan.FromMinutes(10));
        var younger = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(user, younger));
        Time.Advance(TimeSpan.FromMinutes(10));
        Assert.NotNull(await Store.RetrieveAsync(usedKey));
        Time.Advance(TimeSpan.FromMinutes(15)); // 35 min: idle (30) is past; younger (40) and used (50) are not

        var ended = await Store.EndExpiredAsync(CancellationToken.None);

        Assert.Equal(1, ended);
        Assert.Null(await Storage.FindAsync(idle, CancellationToken.None));
        Assert.NotNull(await Store.FindLiveAsync(used));
        Assert.NotNull(await Store.FindLiveAsync(younger));
    }

    // --- agencies and the per-user index ------------------------------------------------------------

    [Fact]
    public async Task AddAgencyAsync_Twice_RecordsAgencyOnce()
    {
        var sessionId = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));

        await Store.AddAgencyAsync(sessionId, "tax");
        await Store.AddAgencyAsync(sessionId, "tax");

        Assert.Equal(["tax"], (await Store.FindLiveAsync(sessionId))!.Agencies);
    }

    [Fact]
    public async Task AddAgencyAsync_ForEndedSession_RecordsNothing()
    {
        var sessionId = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));
        await Store.EndAsync(sessionId, SessionEndReason.SignedOut);

        await Store.AddAgencyAsync(sessionId, "tax");

        Assert.Null(await Storage.FindAsync(sessionId, CancellationToken.None));
    }

    [Fact]
    public async Task ListForUserAsync_WithSeveralUsers_ReturnsOnlyThatUsersLiveSessionsNewestFirst()
    {
        var user = Guid.NewGuid();
        var expired = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(user, expired));
        Time.Advance(IdleTimeout + TimeSpan.FromMinutes(1));
        var laptop = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(user, laptop), Request("Firefox on Linux", "203.0.113.7"), CancellationToken.None);
        Time.Advance(TimeSpan.FromMinutes(1));
        var phone = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(user, phone), Request("Safari on iPhone", "2001:db8::1"), CancellationToken.None);
        await Store.StoreAsync(NewTicket(Guid.NewGuid(), SessionSignIn.NewSessionId()), Request("Other", "198.51.100.1"), CancellationToken.None);

        var sessions = await Store.ListForUserAsync(user);

        Assert.Equal([phone, laptop], sessions.Select(session => session.Id));
        Assert.Equal(["Safari on iPhone", "Firefox on Linux"], sessions.Select(session => session.UserAgent));
        Assert.Equal(["2001:db8::1", "203.0.113.7"], sessions.Select(session => session.IpAddress));
    }

    [Fact]
    public async Task StoreAsync_WithUserAgentLongerThan256_TruncatesIt()
    {
        var user = Guid.NewGuid();
        var userAgent = new string('u', 300);

        await Store.StoreAsync(NewTicket(user, SessionSignIn.NewSessionId()), Request(userAgent, "203.0.113.7"), CancellationToken.None);

        Assert.Equal(userAgent[..256], Assert.Single(await Store.ListForUserAsync(user)).UserAgent);
    }

    // --- helpers --------------------------------------------------------------------------------------

    protected SsoSessionStore CreateStore(IDataProtectionProvider dataProtection)
    {
        // Sessions in these tests sign into no agency, so single logout never needs its database or server.
        var singleLogout = new SingleLogout(
            _services.GetRequiredService<IServiceScopeFactory>(), new SubjectIdentifiers(), _services.GetRequiredService<LogoutDispatchSignal>(), Options,
            new NoServer(), Time, NullLogger<SingleLogout>.Instance);
        return new SsoSessionStore(Storage, singleLogout, dataProtection, Options, Time, NullLogger<SsoSessionStore>.Instance);
    }

    protected AuthenticationTicket NewTicket(Guid userId, string sessionId, string acr = "urn:onepass:loa:1", string? sid = null)
    {
        var session = new SessionInfo(sessionId, Time.GetUtcNow(), acr, ["pwd"]) { Sid = sid ?? sessionId };
        var identity = new ClaimsIdentity([new Claim("sub", userId.ToString()), .. session.ToClaims()], IdentityConstants.ApplicationScheme);
        return new AuthenticationTicket(new ClaimsPrincipal(identity), IdentityConstants.ApplicationScheme);
    }

    protected static string SecretOf(string key) => key[(key.IndexOf('.', StringComparison.Ordinal) + 1)..];

    private static DefaultHttpContext Request(string userAgent, string ip)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.UserAgent = userAgent;
        context.Connection.RemoteIpAddress = IPAddress.Parse(ip);
        return context;
    }

    private static List<(string Type, string Value)> ClaimsOf(AuthenticationTicket ticket) =>
        [.. ticket.Principal.Claims.Select(claim => (claim.Type, claim.Value))];

    private sealed class NoServer : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
