namespace OnePass.IdentityProvider.Features.Mfa.Passkeys;

public static class PasskeyServiceCollectionExtensions
{
    /// <summary>
    /// Passkeys (issue 4 item 2): the relying party (Fido2 4.x, built from <c>OnePass:Passkeys</c>) and
    /// the ceremony state. Needs <c>AddOnePassMfa</c> (ephemeral state, audit, pending sign-ins).
    /// </summary>
    public static IHostApplicationBuilder AddOnePassPasskeys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PasskeyOptions>()
            .Bind(builder.Configuration.GetSection(PasskeyOptions.SectionName))
            .Validate(PasskeyOptionsAreValid,
                "OnePass__Passkeys__Origins__N must be absolute http(s) origins (scheme, host, port; no path), and OnePass__Passkeys__RpId a host name.")
            .ValidateOnStart();
        builder.Services.AddSingleton<PasskeyRelyingParty>();
        builder.Services.AddScoped<PasskeyCeremonies>();
        builder.Services.AddScoped<PasskeyList>();
        return builder;
    }

    /// <summary>The JSON ceremony endpoints under <c>/account/passkeys</c>.</summary>
    public static IEndpointRouteBuilder MapOnePassPasskeys(this IEndpointRouteBuilder endpoints) => endpoints.MapPasskeyEndpoints();

    internal static bool PasskeyOptionsAreValid(PasskeyOptions options) =>
        (string.IsNullOrWhiteSpace(options.RpId) || Uri.CheckHostName(options.RpId) is UriHostNameType.Dns or UriHostNameType.IPv4) &&
        options.Origins.All(origin =>
            Uri.TryCreate(origin, UriKind.Absolute, out var uri) &&
            (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) &&
            uri.AbsolutePath == "/" && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment));
}
