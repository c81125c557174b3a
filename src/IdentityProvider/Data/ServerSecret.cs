namespace OnePass.IdentityProvider.Data;

/// <summary>A named server-wide secret (such as the pairwise-subject key), protected by Data Protection.</summary>
public sealed class ServerSecret
{
    public required string Name { get; set; }

    public required string ProtectedValue { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
