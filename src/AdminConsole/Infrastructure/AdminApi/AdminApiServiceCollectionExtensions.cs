using Microsoft.Extensions.Options;

namespace OnePass.AdminConsole.Infrastructure.AdminApi;

public static class AdminApiServiceCollectionExtensions
{
    /// <summary>
    /// The typed <see cref="AdminApiClient"/> (base address: the OnePass authority) with the administrator's bearer
    /// token, and the page filter that turns its sign-in and permission failures into the right answer.
    /// </summary>
    public static WebApplicationBuilder AddAdminApiClient(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddHttpContextAccessor();
        services.AddTransient<IAccessTokenSource, SessionTokenSource>();
        services.AddTransient<AccessTokenHandler>();
        services.AddHttpClient<TokenRefresher>(http => http.Timeout = TimeSpan.FromSeconds(15));
        services.AddHttpClient<AdminApiClient>((provider, http) =>
            {
                http.BaseAddress = provider.GetRequiredService<IOptions<ConsoleOptions>>().Value.AuthorityUri;
                http.Timeout = TimeSpan.FromSeconds(30);
            })
            .AddHttpMessageHandler<AccessTokenHandler>();
        return builder;
    }
}
