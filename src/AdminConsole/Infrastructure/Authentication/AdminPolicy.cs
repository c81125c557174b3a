using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace OnePass.AdminConsole.Infrastructure.Authentication;

/// <summary>
/// Who may use the console: a OnePass user with the <c>admin</c> role who signed in with at least two factors
/// (<c>acr</c> urn:onepass:loa:2, or loa:3 for a passkey; CONTRACT §5). Both claims come from the ID token
/// (MapInboundClaims off, so their names are OnePass's own). The policy is the fallback: every page needs it
/// unless it says [AllowAnonymous].
/// </summary>
public static class AdminPolicy
{
    public const string Name = "onepass.admin";
    public const string RoleClaim = "role";
    public const string NameClaim = "name";
    public const string AcrClaim = "acr";
    public const string AdminRole = "admin";
    public const string RequiredAcr = "urn:onepass:loa:2";

    /// <summary>The levels of assurance the console accepts: two factors, or a phishing-resistant passkey.</summary>
    public static readonly IReadOnlyList<string> AcceptedAcrs = [RequiredAcr, "urn:onepass:loa:3"];

    public static AuthorizationPolicy Policy { get; } = new AuthorizationPolicyBuilder()
        .RequireAuthenticatedUser()
        .RequireClaim(RoleClaim, AdminRole)
        .RequireClaim(AcrClaim, AcceptedAcrs)
        .Build();

    public static bool HasAdminRole(ClaimsPrincipal user) =>
        user.FindAll(RoleClaim).Any(claim => string.Equals(claim.Value, AdminRole, StringComparison.Ordinal));

    public static bool HasAcceptedAcr(ClaimsPrincipal user) =>
        user.FindFirst(AcrClaim)?.Value is { } acr && AcceptedAcrs.Contains(acr, StringComparer.Ordinal);

    public static bool IsSatisfiedBy(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && HasAdminRole(user) && HasAcceptedAcr(user);
}
