using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using OnePass.AdminConsole.Infrastructure.AdminApi;

namespace OnePass.AdminConsole.Infrastructure.Web;

public static class WebServiceCollectionExtensions
{
    public const string ErrorPath = "/error";

    /// <summary>Razor Pages under Features/ (antiforgery on every form by default), lower-case URLs, health checks.</summary>
    public static WebApplicationBuilder AddConsoleWeb(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorPages(options => options.RootDirectory = "/Features")
            .AddMvcOptions(options => options.Filters.Add<AdminApiExceptionFilter>());
        builder.Services.Configure<RouteOptions>(options => options.LowercaseUrls = true);
        builder.Services.AddHealthChecks();
        builder.Services.AddHsts(options => options.MaxAge = TimeSpan.FromDays(365));
        return builder;
    }

    public static WebApplication UseConsoleWeb(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ConsoleOptions>>().Value;

        // Never a stack trace: every failure ends on the error page; an unreachable admin API answers 503.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandlingPath = ErrorPath,
            StatusCodeSelector = exception => IsOnePassUnreachable(exception)
                ? StatusCodes.Status503ServiceUnavailable
                : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePagesWithReExecute(ErrorPath, "?code={0}");
        app.UseConsoleSecurityHeaders(options.AuthorityOrigin);
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
            // Probes call /health over plain HTTP and would read a redirect as a failure.
            app.UseWhen(context => !context.Request.Path.StartsWithSegments("/health"), branch => branch.UseHttpsRedirection());
        }

        // Static files before authorization: the access-denied and error pages need their CSS too.
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>
    /// The admin API failed, or OnePass could not be reached at all (the OpenID Connect handler's discovery
    /// request wraps the network error in its own exception).
    /// </summary>
    public static bool IsOnePassUnreachable(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is AdminApiUnavailableException or HttpRequestException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>GET /health</c>: 200 while the console runs (it needs nothing but OnePass, which has its own probes).</summary>
    public static IEndpointRouteBuilder MapConsoleHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health").AllowAnonymous();
        return endpoints;
    }
}
