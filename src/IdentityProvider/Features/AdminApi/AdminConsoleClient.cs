using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Seed;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.AdminApi;

/// <summary>The <c>OnePass:AdminConsole</c> configuration section (CONTRACT §1).</summary>
public sealed class AdminConsoleOptions
{
    public const string DefaultUrl = "http://localhost:5001";

    /// <summary>Where the admin console runs; its redirect URIs are under it. Unset: <see cref="DefaultUrl"/>.</summary>
    public string? Url { get; set; }

    /// <summary>When set, the console is a confidential client with this secret (at least 32 characters); else public with PKCE.</summary>
    public string? ClientSecret { get; set; }
}

/// <summary>
/// Registers the admin console as the first-party client <c>onepass-admin</c> at every start (CONTRACT §1),
/// through the seed's own code path, so it gets exactly the rules and the idempotence of a seeded agency:
/// code + PKCE, implicit consent, the admin scope, refresh tokens, and at least two factors (issue 5).
/// </summary>
public static class AdminConsoleClient
{
    public const string ClientId = "onepass-admin";

    public static SeedClient Describe(AdminConsoleOptions options)
    {
        var url = (options.Url ?? AdminConsoleOptions.DefaultUrl).TrimEnd('/');
        return new SeedClient
        {
            ClientId = ClientId,
            ClientSecret = string.IsNullOrEmpty(options.ClientSecret) ? null : options.ClientSecret,
            DisplayName = "OnePass admin console",
            RedirectUris = [$"{url}/signin-oidc"],
            PostLogoutRedirectUris = [$"{url}/signout-callback-oidc"],
            BackchannelLogoutUri = $"{url}/backchannel-logout",
            GrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken],
            Scopes = [Scopes.OpenId, Scopes.Profile, Scopes.OfflineAccess, AdminApiServiceCollectionExtensions.Scope],
            Consent = "implicit",
            SubjectType = SubjectTypes.Public,
            RequirePkce = true,
            MinimumAcr = AssuranceLevels.TwoFactors,
        };
    }

    /// <summary>
    /// Creates or updates the client. When the URL was left at its default and the default is refused
    /// (plain http while HTTPS is required, as in production), the console is simply not registered:
    /// production sets <c>OnePass__AdminConsole__Url</c>. A configured URL that is refused stops the start.
    /// </summary>
    public static async Task RegisterAsync(SeedApplier seeds, AdminConsoleOptions options, bool requireHttps, ILogger logger, CancellationToken cancellationToken)
    {
        var client = Describe(options);
        var seed = new SeedFile { Clients = [client] };
        if (options.Url is null && SeedValidator.Validate(seed, requireHttps) is { Count: > 0 } errors)
        {
            logger.LogWarning(
                "The admin console is not registered at its default address {Url}: {Errors} Set OnePass__AdminConsole__Url.",
                AdminConsoleOptions.DefaultUrl, string.Join(" ", errors));
            return;
        }

        try
        {
            await seeds.ApplyAsync(seed, requireHttps, cancellationToken);
        }
        catch (SeedException exception)
        {
            throw new SeedException($"OnePass__AdminConsole__Url or OnePass__AdminConsole__ClientSecret is refused: {exception.Message}");
        }
    }
}
