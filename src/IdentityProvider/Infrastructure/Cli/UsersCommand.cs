using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Account;
using OnePass.IdentityProvider.Features.AdminApi;
using OnePass.IdentityProvider.Features.Agencies;
using OnePass.IdentityProvider.Features.Seed;
using OpenIddict.Abstractions;

namespace OnePass.IdentityProvider.Infrastructure.Cli;

/// <summary>
/// <c>users create --admin --username NAME --email ADDRESS [--name "Full Name"]</c> (issue 5 item 3): the
/// first administrator of a fresh install, which has no default password anywhere. The password is read
/// from standard input (one line; typed without echo at a terminal), never from the command line, where
/// it would land in the shell history and the process list. It follows the same policy as any other
/// password. The account, the <c>admin</c> role (created if missing) and a change-log row are written in
/// one transaction. Exit codes: 0 done, 1 refused (name taken), 2 usage or an unacceptable password.
/// </summary>
public static class UsersCommand
{
    public const string Usage =
        "Usage: users create --admin --username NAME --email ADDRESS [--name \"Full Name\"]\n" +
        "       The password is read from standard input (one line), never from the command line.";

    /// <summary>The change log's actor for changes made from the command line.</summary>
    public const string Actor = "command line";

    private const int MaxUsernameLength = 256;
    private const int MaxEmailLength = 256;

    /// <param name="args">The arguments after <c>users</c>.</param>
    /// <param name="hideTyping">Standard input is a terminal: prompt, and read the password without echo.</param>
    public static async Task<int> RunAsync(
        IServiceProvider services, string[] args, TextReader input, TextWriter output, TextWriter error, bool hideTyping = false)
    {
        if (Parse(args) is not { } request)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        if (request.Problem is not null)
        {
            await error.WriteLineAsync(request.Problem);
            await error.WriteLineAsync(Usage);
            return 2;
        }

        if (hideTyping)
        {
            await error.WriteAsync($"Password for {request.Username}: ");
        }

        var password = hideTyping ? ReadHidden() : await input.ReadLineAsync();
        if (hideTyping)
        {
            await error.WriteLineAsync();
        }

        if (string.IsNullOrEmpty(password))
        {
            await error.WriteLineAsync("No password was given: write it as one line to standard input, e.g. from a password manager or a file readable only by you.");
            return 2;
        }

        if (PasswordPolicy.Check(password, request.Username, request.Email) is [var problem, ..])
        {
            await error.WriteLineAsync($"The password {problem.Rule}. Nothing was changed.");
            return 2;
        }

        await services.InitializeOnePassAsync();
        await using var scope = services.CreateAsyncScope();
        var provider = scope.ServiceProvider;
        var users = provider.GetRequiredService<UserManager<OnePassUser>>();
        if (await users.FindByNameAsync(request.Username) is not null)
        {
            await error.WriteLineAsync($"A user named '{request.Username}' already exists. Nothing was changed.");
            return 1;
        }

        // A username must never equal a client id (CATALOGUE IN-AD-05): both name a party to the same tokens.
        if (await AgencyDescriptors.ClientIdExistsAsync(provider.GetRequiredService<OnePassDbContext>(), request.Username))
        {
            await error.WriteLineAsync($"'{request.Username}' is the client id of an agency; choose another username. Nothing was changed.");
            return 1;
        }

        var (user, roleCreated, failure) = await CreateAsync(provider, request, password);
        if (user is null)
        {
            await error.WriteLineAsync($"The administrator could not be created: {failure} Nothing was changed.");
            return 1;
        }

        await output.WriteLineAsync(
            $"Created administrator '{user.UserName}' (id {user.Id}, e-mail {user.Email}) with the role " +
            $"'{AdminApiServiceCollectionExtensions.Role}'{(roleCreated ? ", which was created" : "")}.");
        return 0;
    }

    private static async Task<(OnePassUser? User, bool RoleCreated, string? Failure)> CreateAsync(
        IServiceProvider provider, CreateRequest request, string password)
    {
        var db = provider.GetRequiredService<OnePassDbContext>();
        var users = provider.GetRequiredService<UserManager<OnePassUser>>();
        var roles = provider.GetRequiredService<RoleManager<IdentityRole<Guid>>>();
        var time = provider.GetRequiredService<TimeProvider>();
        const string role = AdminApiServiceCollectionExtensions.Role;

        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var user = new OnePassUser
            {
                UserName = request.Username,
                Email = request.Email,
                DisplayName = request.Name,
                LockoutEnabled = true,
            };

            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                return (null, false, Describe(created));
            }

            var roleCreated = false;
            if (!await roles.RoleExistsAsync(role))
            {
                var added = await roles.CreateAsync(new IdentityRole<Guid>(role));
                if (!added.Succeeded)
                {
                    return (null, false, Describe(added));
                }

                roleCreated = true;
            }

            var granted = await users.AddToRoleAsync(user, role);
            if (!granted.Succeeded)
            {
                return (null, false, Describe(granted));
            }

            db.AdminChanges.Add(new AdminChange
            {
                Id = Guid.NewGuid(),
                Time = time.GetUtcNow(),
                ActorUserId = null,
                ActorName = Actor,
                Action = "user.create",
                TargetType = "user",
                TargetId = user.Id.ToString(),
                Before = null,
                After = AdminChangeLog.Serialize(new
                {
                    user.Id, Username = user.UserName, user.Email, user.EmailConfirmed, Name = user.DisplayName, Roles = new[] { role },
                }),
            });
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            return ((OnePassUser?)user, roleCreated, (string?)null);
        });
    }

    private static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));

    /// <summary>
    /// The options of <c>users create</c>; null for a usage error (no such subcommand, unknown or repeated
    /// option, missing value), a <see cref="CreateRequest.Problem"/> for a value that is not acceptable.
    /// </summary>
    private static CreateRequest? Parse(string[] args)
    {
        if (args.Length == 0 || args[0] != "create")
        {
            return null;
        }

        var admin = false;
        string? username = null, email = null, name = null;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--admin" when !admin:
                    admin = true;
                    break;
                case "--username" when username is null && i + 1 < args.Length:
                    username = args[++i];
                    break;
                case "--email" when email is null && i + 1 < args.Length:
                    email = args[++i];
                    break;
                case "--name" when name is null && i + 1 < args.Length:
                    name = args[++i];
                    break;
                case var option when option.StartsWith("--password", StringComparison.OrdinalIgnoreCase):
                    return new CreateRequest("", "", null,
                        "The password is never taken from the command line (it would stay in the shell history and the process list): write it to standard input.");
                default:
                    return null;
            }
        }

        if (!admin || username is null || email is null)
        {
            return null;
        }

        var problem =
            username.Length is 0 or > MaxUsernameLength ||
            !username.All(c => char.IsAsciiLetterOrDigit(c) || "-._@+".Contains(c, StringComparison.Ordinal))
                ? $"The username must be 1 to {MaxUsernameLength} letters, digits or - . _ @ +."
            : email.Length > MaxEmailLength || !System.Net.Mail.MailAddress.TryCreate(email, out var address) || address.Address != email
                ? "The e-mail is not an e-mail address."
            : name is not null && (name.Trim().Length == 0 || name.Length > SeedValidator.MaximumDisplayNameLength || name.Any(char.IsControl))
                ? $"The name must be 1 to {SeedValidator.MaximumDisplayNameLength} characters without control characters."
            : null;
        return new CreateRequest(username, email, name, problem);
    }

    /// <summary>Reads one line from the terminal without showing it.</summary>
    private static string ReadHidden()
    {
        var password = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                return password.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }
    }

    private sealed record CreateRequest(string Username, string Email, string? Name, string? Problem);
}
