namespace OnePass.IdentityProvider.Features.AdminApi.Audit;

/// <summary>The audit part of the admin API: queries, CSV exports, retention with its sweep, statistics.</summary>
public static class AuditServiceCollectionExtensions
{
    public static IServiceCollection AddOnePassAudit(this IServiceCollection services)
    {
        services.AddOptions<AuditOptions>()
            .BindConfiguration(AuditOptions.SectionName)
            .Validate(options => options.SweepInterval > TimeSpan.Zero, "OnePass:Audit:SweepInterval must be positive.")
            .ValidateOnStart();
        services.AddSingleton<AuditRetentionSweeper>();
        services.AddHostedService(provider => provider.GetRequiredService<AuditRetentionSweeper>());
        return services;
    }

    public static RouteGroupBuilder MapAudit(RouteGroupBuilder admin)
    {
        AuditEndpoints.Map(admin);
        AuditRetention.Map(admin);
        SignInStatistics.Map(admin);
        return admin;
    }
}
