using Microsoft.Extensions.Options;
using OnePass.IdentityProvider.Features.Seed;
using OnePass.IdentityProvider.Infrastructure.Keys;

namespace OnePass.IdentityProvider.Infrastructure.Cli;

/// <summary>
/// Subcommands that run with the server's configuration and exit (CONTRACT §1):
/// <c>migrate</c>, <c>seed FILE</c>, <c>keys list|rotate [--algorithm RS256|ES256] [--now]|revoke KID</c>,
/// <c>users create --admin …</c> (<see cref="UsersCommand"/>).
/// </summary>
public static class Commands
{
    private static readonly string[] Names = ["migrate", "seed", "keys", "users"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Names.Contains(args[0]);

    /// <summary>The arguments left for the host's configuration once the command's own are removed.</summary>
    public static string[] HostArguments(string[] args) => IsCommand(args) ? [.. args.SkipWhile(arg => !arg.StartsWith("--", StringComparison.Ordinal) || arg is "--now" or "--algorithm").Where(IsConfiguration)] : args;

    private static bool IsConfiguration(string arg) => arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains('=', StringComparison.Ordinal);

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var output = Console.Out;
        try
        {
            switch (args[0])
            {
                case "migrate":
                    await services.MigrateAsync();
                    await output.WriteLineAsync("Database migrations applied.");
                    return 0;

                case "seed" when args.Length >= 2:
                    await services.InitializeOnePassAsync();
                    await using (var scope = services.CreateAsyncScope())
                    {
                        var options = scope.ServiceProvider.GetRequiredService<IOptions<OnePassOptions>>().Value;
                        var environment = scope.ServiceProvider.GetRequiredService<IHostEnvironment>();
                        var result = await scope.ServiceProvider.GetRequiredService<SeedApplier>().ApplyFileAsync(
                            Path.GetFullPath(args[1]), options.RequireHttps ?? !environment.IsDevelopment());
                        await output.WriteLineAsync($"Seed applied: {result.Created} created, {result.Updated} updated, {result.Unchanged} unchanged.");
                    }

                    return 0;

                case "keys" when args.Length >= 2:
                    return await KeysAsync(services, args[1..]);

                case "users":
                    return await UsersCommand.RunAsync(services, args[1..], Console.In, output, Console.Error, hideTyping: !Console.IsInputRedirected);

                default:
                    await Console.Error.WriteLineAsync("Usage: migrate | seed FILE.json | keys list | keys rotate [--algorithm RS256|ES256] [--now] | keys revoke KID | users create --admin --username NAME --email ADDRESS [--name \"Full Name\"] (password on standard input)");
                    return 2;
            }
        }
        catch (SeedException exception)
        {
            await Console.Error.WriteLineAsync(exception.Message);
            return 1;
        }
    }

    private static async Task<int> KeysAsync(IServiceProvider services, string[] args)
    {
        await services.InitializeOnePassAsync();
        await using var scope = services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<KeyStore>();
        switch (args[0])
        {
            case "list":
                foreach (var key in await store.ListAsync())
                {
                    Console.WriteLine($"{key.KeyId}\t{key.Use}\t{key.Algorithm}\tactivates {key.ActivatesAt:u}\tretired {key.RetiredAt:u}\texpires {key.ExpiresAt:u}\trevoked {key.RevokedAt:u}");
                }

                return 0;

            case "rotate":
                var index = Array.IndexOf(args, "--algorithm");
                var algorithm = index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
                var published = await store.RotateAsync(algorithm, immediately: args.Contains("--now"));
                Console.WriteLine($"Published {published.KeyId} ({published.Algorithm}); it signs from {published.ActivatesAt:u}.");
                return 0;

            case "revoke" when args.Length >= 2:
                if (await store.RevokeAsync(args[1]))
                {
                    Console.WriteLine($"Revoked {args[1]}. Nodes drop it at their next key refresh.");
                    return 0;
                }

                await Console.Error.WriteLineAsync($"No key {args[1]}.");
                return 1;

            default:
                await Console.Error.WriteLineAsync("Usage: keys list | keys rotate [--algorithm RS256|ES256] [--now] | keys revoke KID");
                return 2;
        }
    }
}
