namespace OnePass.IdentityProvider.Features.AdminApi;

/// <summary>
/// The administrator behind the current admin API call, resolved once by <see cref="RequireActiveAdministrator"/>
/// (the token carries only a pairwise <c>sub</c>) and read by <see cref="AdminChangeLog"/>.
/// </summary>
public sealed record AdminCaller(Guid UserId, string UserName)
{
    private static readonly object Key = new();

    public static void Set(HttpContext context, AdminCaller caller) => context.Items[Key] = caller;

    /// <summary>The caller; only endpoints behind the admin policy may ask.</summary>
    public static AdminCaller Of(HttpContext context) =>
        context.Items[Key] as AdminCaller ?? throw new InvalidOperationException("The admin caller is resolved by the admin authorization policy.");
}
