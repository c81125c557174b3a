using OnePass.IdentityProvider.Features.Sessions;

namespace OnePass.IdentityProvider.Tests.Sessions.Store;

/// <summary>The store's rules over the in-process backing (one node, no Redis).</summary>
public sealed class MemorySsoSessionStoreTests : SsoSessionStoreTests
{
    protected override Task<ISessionStorage> CreateStorageAsync() => Task.FromResult<ISessionStorage>(new MemorySessionStorage());
}
