namespace OnePass.IdentityProvider.Features.Seed;

public static class SeedServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddOnePassSeed(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<SeedApplier>();
        return builder;
    }
}
