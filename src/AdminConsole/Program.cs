using OnePass.AdminConsole.Features.Agencies;
using OnePass.AdminConsole.Features.Scopes;
using OnePass.AdminConsole.Infrastructure;
using OnePass.AdminConsole.Infrastructure.AdminApi;
using OnePass.AdminConsole.Infrastructure.Authentication;
using OnePass.AdminConsole.Infrastructure.Web;

namespace OnePass.AdminConsole;

/// <summary>
/// The admin console's composition root. A class in a namespace (not top-level statements) so that a test
/// project may host it beside the identity provider, whose <c>Program</c> is in the global namespace.
/// </summary>
public partial class Program
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);

        builder.AddConsoleOptions();
        builder.AddConsoleWeb();
        builder.AddConsoleAuthentication();
        builder.AddAdminApiClient();
        builder.AddAgencyScreens();
        builder.AddScopeScreens();

        var app = builder.Build();

        app.UseConsoleWeb();
        app.MapRazorPages();
        app.MapBackChannelLogout();
        app.MapConsoleHealth();

        await app.RunAsync();
    }
}
