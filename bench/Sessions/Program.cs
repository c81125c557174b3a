using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.IdentityProvider.Infrastructure;
using StackExchange.Redis;

// Session storage benchmark (issue 3): Redis bytes per SSO session, and what looking a session up
// costs per request (the cookie handler does it on every request that carries the cookie), as ratios
// to a bare Redis round trip and to the in-process backing, measured in one run.
//   dotnet run -c Release --project bench/Sessions -- REDIS [SESSIONS] [LOOKUPS]
var redisAddress = args.ElementAtOrDefault(0) ?? "127.0.0.1:6379";
var sessionCount = int.Parse(args.ElementAtOrDefault(1) ?? "10000", CultureInfo.InvariantCulture);
var lookups = int.Parse(args.ElementAtOrDefault(2) ?? "20000", CultureInfo.InvariantCulture);
var prefix = $"bench:{Guid.NewGuid():N}:";

var redis = await ConnectionMultiplexer.ConnectAsync(redisAddress + ",allowAdmin=true");
var options = Options.Create(new OnePassOptions { Sessions = { RedisKeyPrefix = prefix } });
var protection = new EphemeralDataProtectionProvider();
using var signal = new LogoutDispatchSignal();
// No session here is ended through the store, so single logout never needs its services.
var logout = new SingleLogout(null!, new SubjectIdentifiers(), signal, options,
    new NoServer(), TimeProvider.System, NullLogger<SingleLogout>.Instance);
SsoSessionStore Store(ISessionStorage storage) =>
    new(storage, logout, protection, options, TimeProvider.System, NullLogger<SsoSessionStore>.Instance);
var redisStore = Store(new RedisSessionStorage(redis, options));
var memoryStore = Store(new MemorySessionStorage());

// A ticket with the claims a real password sign-in puts in it (Identity's principal + the session facts).
AuthenticationTicket Ticket()
{
    var session = new SessionInfo(SessionSignIn.NewSessionId(), DateTimeOffset.UtcNow, "urn:onepass:loa:1", ["pwd"]);
    var identity = new ClaimsIdentity("Identity.Application", "name", "role");
    identity.AddClaim(new Claim("sub", Guid.NewGuid().ToString()));
    identity.AddClaim(new Claim("name", "citizen-" + Random.Shared.Next(1_000_000)));
    identity.AddClaim(new Claim("email", "citizen@example.gov"));
    identity.AddClaim(new Claim("AspNet.Identity.SecurityStamp", Guid.NewGuid().ToString("N").ToUpperInvariant()));
    identity.AddClaims(session.ToClaims());
    return new AuthenticationTicket(new ClaimsPrincipal(identity), new AuthenticationProperties
    {
        IssuedUtc = DateTimeOffset.UtcNow,
        ExpiresUtc = DateTimeOffset.UtcNow.AddHours(12),
    }, "Identity.Application");
}

var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
context.Request.Headers.UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("203.0.113.42");

// 1. Bytes per session: used_memory before and after, and MEMORY USAGE of one session's keys.
var server = redis.GetServer(redis.GetEndPoints()[0]);
long UsedMemory() => long.Parse(server.Info("memory").SelectMany(group => group).First(pair => pair.Key == "used_memory").Value, CultureInfo.InvariantCulture);
var before = UsedMemory();
var keys = new List<string>(sessionCount);
for (var i = 0; i < sessionCount; i++)
{
    var key = await redisStore.StoreAsync(Ticket(), context, CancellationToken.None);
    await redisStore.AddAgencyAsync(key[..key.IndexOf('.', StringComparison.Ordinal)], "agency-tax");
    keys.Add(key);
}

var after = UsedMemory();
var sample = keys[0][..keys[0].IndexOf('.', StringComparison.Ordinal)];
var database = redis.GetDatabase();
long KeyBytes(string key) => (long)database.Execute("MEMORY", "USAGE", key, "SAMPLES", "0");
var recordBytes = KeyBytes($"{prefix}session:{sample}");
var perSessionUsed = (after - before) / (double)sessionCount;
var ticketBytes = (await redisStore.FindByKeyAsync(keys[0], CancellationToken.None))!.Ticket.Length;

// 2. Lookup cost: RetrieveAsync (one batched round trip, decrypt, deserialize) against a bare PING
//    round trip and against the in-process backing, sequential and with 16 concurrent callers.
var memoryKeys = new List<string>();
for (var i = 0; i < 1000; i++)
{
    memoryKeys.Add(await memoryStore.StoreAsync(Ticket(), context, CancellationToken.None));
}

async Task<double> RatePerSecond(int concurrency, Func<int, Task> operation)
{
    for (var i = 0; i < 500; i++)
    {
        await operation(i); // warm-up
    }

    var clock = Stopwatch.StartNew();
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int index;
        while ((index = Interlocked.Increment(ref next)) < lookups)
        {
            await operation(index);
        }
    }));
    return lookups / clock.Elapsed.TotalSeconds;
}

var results = new List<Dictionary<string, object>>();
foreach (var concurrency in new[] { 1, 16 })
{
    var ping = await RatePerSecond(concurrency, _ => database.PingAsync());
    var viaRedis = await RatePerSecond(concurrency, async i =>
    {
        if (await redisStore.RetrieveAsync(keys[i % keys.Count], context, CancellationToken.None) is null)
        {
            throw new InvalidOperationException("A stored session was not found.");
        }
    });
    var inProcess = await RatePerSecond(concurrency, async i => await memoryStore.RetrieveAsync(memoryKeys[i % memoryKeys.Count], context, CancellationToken.None));
    results.Add(new()
    {
        ["concurrency"] = concurrency,
        ["redis_ping_per_s"] = Math.Round(ping),
        ["lookup_redis_per_s"] = Math.Round(viaRedis),
        ["lookup_in_process_per_s"] = Math.Round(inProcess),
        ["lookup_redis_vs_ping"] = Math.Round(viaRedis / ping, 2),
        ["lookup_redis_us"] = Math.Round(1_000_000 / viaRedis * concurrency, 1),
    });
}

// Clean up what the run wrote.
foreach (var endpoint in redis.GetEndPoints())
{
    await foreach (var key in redis.GetServer(endpoint).KeysAsync(pattern: prefix + "*"))
    {
        await database.KeyDeleteAsync(key);
    }
}

var report = new Dictionary<string, object>
{
    ["date"] = DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture),
    ["sessions"] = sessionCount,
    ["redis_used_memory_bytes_per_session"] = Math.Round(perSessionUsed),
    ["memory_usage_session_key_bytes"] = recordBytes,
    ["encrypted_ticket_bytes"] = ticketBytes,
    ["lookups"] = results,
};
var json = JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true });
Console.WriteLine(json);

var markdown = new System.Text.StringBuilder()
    .AppendLine(CultureInfo.InvariantCulture, $"# Session storage, {report["date"]}")
    .AppendLine()
    .AppendLine(CultureInfo.InvariantCulture, $"Redis bytes per session ({sessionCount} sessions, each with one agency): **{perSessionUsed:0}** by `used_memory`; `MEMORY USAGE` of one session's key {recordBytes} (of which the encrypted ticket {ticketBytes}), plus its entries in the per-user set and the deadline index.")
    .AppendLine()
    .AppendLine("| callers | Redis PING/s | lookups/s (Redis) | lookups/s (in process) | Redis lookup ÷ PING | µs per lookup |")
    .AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
foreach (var row in results)
{
    markdown.AppendLine(CultureInfo.InvariantCulture,
        $"| {row["concurrency"]} | {row["redis_ping_per_s"]} | {row["lookup_redis_per_s"]} | {row["lookup_in_process_per_s"]} | {row["lookup_redis_vs_ping"]} | {row["lookup_redis_us"]} |");
}

var folder = Path.Combine(AppContext.BaseDirectory, "results");
if (Environment.GetEnvironmentVariable("ONEPASS_BENCH_RESULTS") is { Length: > 0 } configured)
{
    folder = configured;
}

Directory.CreateDirectory(folder);
await File.WriteAllTextAsync(Path.Combine(folder, "sessions.json"), json);
await File.WriteAllTextAsync(Path.Combine(folder, "sessions.md"), markdown.ToString());
Console.WriteLine(markdown);
await redis.DisposeAsync();

/// <summary>The benchmark runs no web server; SingleLogout only asks one for an address when no issuer is set.</summary>
internal sealed class NoServer : Microsoft.AspNetCore.Hosting.Server.IServer
{
    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(Microsoft.AspNetCore.Hosting.Server.IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }
}
