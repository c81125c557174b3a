namespace OnePass.IdentityProvider.Infrastructure.Telemetry;

/// <summary>
/// Log categories that write secrets below Warning, held at Warning whatever the configuration asks
/// (CATALOGUE AT-27; found by tests/IdentityProvider.Tests/Telemetry/NoSecretsInTelemetryTests with every
/// category at Trace):
/// <list type="bullet">
/// <item><c>OpenIddict</c>: at Information the token request as received, <c>code_verifier</c> unredacted; at
/// Trace every token it creates or validates (access, refresh and ID tokens in full) and the authorization code
/// (its reference identifier).</item>
/// <item><c>Microsoft.AspNetCore.Hosting.Diagnostics</c>: "Request starting/finished" at Information with the
/// full query string, which holds the e-mail verification and password-reset link tokens.</item>
/// </list>
/// Applied after every other filter setting: each rule naming such a category (or one under it) is raised to
/// Warning, and each provider named in any rule gets a Warning rule for the category, so neither
/// <c>Logging__LogLevel__Default=Trace</c> nor a provider's own levels (<c>Logging__Console__LogLevel__…</c>)
/// can turn them back on. Requests remain visible in the HTTP metrics and spans (whose query strings
/// OpenTelemetry redacts).
/// </summary>
public static class LogSecrecy
{
    public static readonly IReadOnlyList<string> SensitiveCategories = ["OpenIddict", "Microsoft.AspNetCore.Hosting.Diagnostics"];

    public const LogLevel Floor = LogLevel.Warning;

    public static void Apply(LoggerFilterOptions options)
    {
        var providers = options.Rules.Select(rule => rule.ProviderName).Append(null).Distinct(StringComparer.Ordinal).ToList();
        var rules = options.Rules.Select(rule => IsSensitive(rule.CategoryName) && (rule.LogLevel is null || rule.LogLevel < Floor)
            ? new LoggerFilterRule(rule.ProviderName, rule.CategoryName, Floor, rule.Filter)
            : rule).ToList();
        options.Rules.Clear();
        foreach (var rule in rules)
        {
            options.Rules.Add(rule);
        }

        foreach (var category in SensitiveCategories)
        {
            foreach (var provider in providers)
            {
                options.Rules.Add(new LoggerFilterRule(provider, category, Floor, filter: null));
            }
        }
    }

    private static bool IsSensitive(string? category) => category is not null &&
        SensitiveCategories.Any(sensitive => category.StartsWith(sensitive, StringComparison.OrdinalIgnoreCase));
}
