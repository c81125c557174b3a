using OnePass.IdentityProvider.Features.Sessions;
using OnePass.TestKit;
using StackExchange.Redis;

namespace OnePass.IdentityProvider.Tests.Sessions.Store;

/// <summary>
/// The store's rules over Redis (the real server from <see cref="TestServices"/>), each test under its
/// own key prefix; plus what only Redis has: key lifetimes and the keys left behind.
/// </summary>
public sealed class RedisSsoSessionStoreTests(RedisConnection redis) : SsoSessionStoreTests, IClassFixture<RedisConnection>
{
    private readonly RedisConnection _redis = redis;

    protected override Task<ISessionStorage> CreateStorageAsync() =>
        Task.FromResult<ISessionStorage>(new RedisSessionStorage(_redis.Multiplexer, Options));

    public override async Task DisposeAsync()
    {
        foreach (var key in await KeysAsync())
        {
            await _redis.Multiplexer.GetDatabase().KeyDeleteAsync(key);
        }

        await base.DisposeAsync();
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-02")]
    public async Task StoreAsync_EverySessionKeyWritten_HasTimeToLive()
    {
        var user = Guid.NewGuid();
        var sessionId = SessionSignIn.NewSessionId();
        var key = await Store.StoreAsync(NewTicket(user, sessionId));
        await Store.AddAgencyAsync(sessionId, "tax");
        Time.Advance(TouchInterval);
        await Store.RetrieveAsync(key);
        var movedTo = SessionSignIn.NewSessionId();
        await Store.MoveToNewIdAsync(sessionId, movedTo, CancellationToken.None);
        await Store.StoreAsync(NewTicket(user, movedTo, sid: sessionId));
        await Store.StoreAsync(NewTicket(user, SessionSignIn.NewSessionId()));
        var database = _redis.Multiplexer.GetDatabase();

        var keys = await KeysAsync();

        // The deadlines index is one sorted set for all sessions, read by the sweeper; it holds only
        // sessions that have not ended yet (see EndAsync_LastSession_LeavesNoKeyBehind).
        var sessionKeys = keys.Where(k => k != $"{Prefix}sessions:deadlines").ToList();
        Assert.Equal(5, sessionKeys.Count); // two session records (agencies are inside them), their two sid pointers, one user index
        foreach (var sessionKey in sessionKeys)
        {
            var ttl = await database.KeyTimeToLiveAsync(sessionKey);
            Assert.True(ttl > TimeSpan.Zero, $"{sessionKey} has no time to live");
        }
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-02")]
    public async Task EndAsync_OneOfTwoSessions_RemovesEveryKeyAndIndexEntryOfThatSession()
    {
        var user = Guid.NewGuid();
        var ended = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(user, ended));
        var other = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(user, other));
        var database = _redis.Multiplexer.GetDatabase();

        await Store.EndAsync(ended, SessionEndReason.SignedOut);

        Assert.DoesNotContain(await KeysAsync(), key => key.ToString().Contains(ended, StringComparison.Ordinal));
        Assert.Equal([other], (await database.SetMembersAsync($"{Prefix}user:{user:N}:sessions")).Select(id => id.ToString()));
        Assert.Equal([other], (await database.SortedSetRangeByRankAsync($"{Prefix}sessions:deadlines")).Select(id => id.ToString()));
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-02")]
    public async Task EndAsync_LastSession_LeavesNoKeyBehind()
    {
        var sessionId = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));

        await Store.EndAsync(sessionId, SessionEndReason.SignedOut);

        Assert.Empty(await KeysAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-02")]
    public async Task EndAsync_AfterAReauthentication_LeavesNoKeyBehind()
    {
        var user = Guid.NewGuid();
        var sessionId = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(user, sessionId));
        var movedTo = SessionSignIn.NewSessionId();
        await Store.MoveToNewIdAsync(sessionId, movedTo, CancellationToken.None);
        await Store.StoreAsync(NewTicket(user, movedTo, sid: sessionId));

        await Store.EndAsync(movedTo, SessionEndReason.SignedOut);

        Assert.Empty(await KeysAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "AT-16")]
    public async Task MoveToNewIdAsync_InRedis_RenamesTheKeyAndSwapsTheIndexEntries()
    {
        var user = Guid.NewGuid();
        var sessionId = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(user, sessionId));
        var movedTo = SessionSignIn.NewSessionId();
        var database = _redis.Multiplexer.GetDatabase();

        await Store.MoveToNewIdAsync(sessionId, movedTo, CancellationToken.None);

        Assert.False(await database.KeyExistsAsync($"{Prefix}session:{sessionId}"));
        Assert.True(await database.KeyExistsAsync($"{Prefix}session:{movedTo}"));
        Assert.Equal([movedTo], (await database.SetMembersAsync($"{Prefix}user:{user:N}:sessions")).Select(id => id.ToString()));
        Assert.Equal([movedTo], (await database.SortedSetRangeByRankAsync($"{Prefix}sessions:deadlines")).Select(id => id.ToString()));
        Assert.Equal(movedTo, (string?)await database.StringGetAsync($"{Prefix}sid:{sessionId}"));
    }

    [Fact]
    public async Task FindLiveAsync_RecordOfFormatOne_IsFoundByItsIdAsSid()
    {
        // A session stored before sessions had a stable identity of their own: its id is its sid.
        var sessionId = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));
        var database = _redis.Multiplexer.GetDatabase();
        var record = (byte[])(await database.StringGetAsync($"{Prefix}session:{sessionId}"))!;
        var formatOne = FormatOne(record, sessionId.Length);
        await database.StringSetAsync($"{Prefix}session:{sessionId}", formatOne);
        await database.KeyDeleteAsync($"{Prefix}sid:{sessionId}");

        var found = await Store.FindLiveAsync(sessionId);

        Assert.NotNull(found);
        Assert.Equal(sessionId, found.Sid);
    }

    /// <summary>The same record as format 1 wrote it: version 1, without the stable identity (1 + n bytes) after the ticket.</summary>
    private static byte[] FormatOne(byte[] record, int sidLength)
    {
        var agenciesOffset = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(record.AsSpan(41));
        var head = record[..(agenciesOffset - sidLength - 1)];
        head[0] = 1;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(41), head.Length);
        return [.. head, .. record[agenciesOffset..]];
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-02")]
    public async Task TakeAsync_SessionWithAgencies_LeavesNoKeyBehind()
    {
        // The storage step of EndAsync, here with agencies recorded (the store would then queue single
        // logout, which needs the database these tests do without).
        var sessionId = SessionSignIn.NewSessionId();
        await Store.StoreAsync(NewTicket(Guid.NewGuid(), sessionId));
        await Store.AddAgencyAsync(sessionId, "tax");

        var taken = await Storage.TakeAsync(sessionId, CancellationToken.None);

        Assert.Equal(["tax"], taken!.Agencies);
        Assert.Empty(await KeysAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "LD-02")]
    public async Task EndExpiredAsync_AllSessionsExpired_LeavesNoKeyBehind()
    {
        var user = Guid.NewGuid();
        await Store.StoreAsync(NewTicket(user, SessionSignIn.NewSessionId()));
        await Store.StoreAsync(NewTicket(user, SessionSignIn.NewSessionId()));
        Time.Advance(IdleTimeout);

        await Store.EndExpiredAsync(CancellationToken.None);

        Assert.Empty(await KeysAsync());
    }

    private async Task<List<RedisKey>> KeysAsync()
    {
        var multiplexer = _redis.Multiplexer;
        var server = multiplexer.GetServer(multiplexer.GetEndPoints()[0]);
        var keys = new List<RedisKey>();
        await foreach (var key in server.KeysAsync(pattern: $"{Prefix}*"))
        {
            keys.Add(key);
        }

        return keys;
    }
}

/// <summary>One connection to the test Redis, shared by the tests of a class.</summary>
public sealed class RedisConnection : IAsyncLifetime
{
    public IConnectionMultiplexer Multiplexer { get; private set; } = null!;

    public async Task InitializeAsync() => Multiplexer = await ConnectionMultiplexer.ConnectAsync(TestServices.RedisConnectionString);

    public async Task DisposeAsync() => await Multiplexer.DisposeAsync();
}
