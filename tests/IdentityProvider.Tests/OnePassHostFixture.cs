using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests;

/// <summary>One identity provider on a throwaway SQLite database, shared by the tests of a class.</summary>
public sealed class OnePassHostFixture : IDisposable
{
    public OnePassHost Host { get; } = new();

    public void Dispose() => Host.Dispose();
}
