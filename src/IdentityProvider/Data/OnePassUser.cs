using Microsoft.AspNetCore.Identity;

namespace OnePass.IdentityProvider.Data;

/// <summary>A citizen's account. Identity keeps the credentials; OnePass adds the display name.</summary>
public sealed class OnePassUser : IdentityUser<Guid>
{
    /// <summary>The full name released with the <c>profile</c> scope as <c>name</c>.</summary>
    public string? DisplayName { get; set; }
}
