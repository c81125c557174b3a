namespace OnePass.AdminConsole.Infrastructure;

/// <summary>
/// Where OnePass is and how the console signs in to it: <c>OnePass:Authority</c> (the OnePass issuer, also the
/// admin API's base address) and the <c>OnePass:AdminConsole</c> section (client id, optional secret, HTTPS rule).
/// </summary>
public sealed class ConsoleOptions
{
    public const string DefaultAuthority = "http://localhost:5000";

    /// <summary>The OnePass issuer: discovery, sign-in and the admin API live under it.</summary>
    public string Authority { get; set; } = DefaultAuthority;

    public string ClientId { get; set; } = "onepass-admin";

    /// <summary>When set, the console is a confidential client; OnePass registers it as a public one by default.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Discovery and the admin API over HTTPS only; null means true outside Development.</summary>
    public bool? RequireHttpsMetadata { get; set; }

    /// <summary>The authority as an absolute URI with a trailing slash, so relative API paths resolve under it.</summary>
    public Uri AuthorityUri => new(Authority.EndsWith('/') ? Authority : Authority + "/", UriKind.Absolute);

    /// <summary>The authority's origin (scheme, host, port), as CSP source expressions need it.</summary>
    public string AuthorityOrigin => AuthorityUri.GetLeftPart(UriPartial.Authority);
}

public static class ConsoleOptionsExtensions
{
    public static WebApplicationBuilder AddConsoleOptions(this WebApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddOptions<ConsoleOptions>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                options.Authority = configuration["OnePass:Authority"] is { Length: > 0 } authority ? authority : ConsoleOptions.DefaultAuthority;
                configuration.GetSection("OnePass:AdminConsole").Bind(options);
                options.RequireHttpsMetadata ??= !development;
            })
            .Validate(options => Uri.TryCreate(options.Authority, UriKind.Absolute, out var uri) &&
                    (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp),
                "OnePass__Authority must be an absolute http(s) URL (the OnePass issuer).")
            .Validate(options => !string.IsNullOrWhiteSpace(options.ClientId), "OnePass__AdminConsole__ClientId is required.")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }
}
