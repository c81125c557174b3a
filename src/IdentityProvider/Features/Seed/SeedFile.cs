using System.Text.Json;
using System.Text.Json.Serialization;

namespace OnePass.IdentityProvider.Features.Seed;

/// <summary>The seed file (CONTRACT §3): agencies and users to create or bring up to date.</summary>
public sealed class SeedFile
{
    public List<SeedClient> Clients { get; set; } = [];

    public List<SeedUser> Users { get; set; } = [];

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = false,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}

public sealed class SeedClient
{
    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    public string? DisplayName { get; set; }

    public List<string> RedirectUris { get; set; } = [];

    public List<string> PostLogoutRedirectUris { get; set; } = [];

    public string? FrontchannelLogoutUri { get; set; }

    public string? BackchannelLogoutUri { get; set; }

    public List<string> GrantTypes { get; set; } = [];

    public List<string> Scopes { get; set; } = ["openid"];

    public string Consent { get; set; } = "explicit";

    public string SubjectType { get; set; } = "pairwise";

    public bool RequirePkce { get; set; } = true;

    public string? SectorIdentifier { get; set; }

    public JsonElement? Jwks { get; set; }

    public string? MinimumAcr { get; set; }
}

public sealed class SeedUser
{
    public string? Username { get; set; }

    public string? Password { get; set; }

    public string? Email { get; set; }

    public bool EmailConfirmed { get; set; }

    public string? Name { get; set; }

    public List<string> Roles { get; set; } = [];

    public string? TotpSecret { get; set; }
}
