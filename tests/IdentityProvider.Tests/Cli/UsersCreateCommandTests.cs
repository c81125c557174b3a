using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Infrastructure.Cli;
using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Cli;

/// <summary>
/// <c>users create --admin</c> (issue 5 item 3): the first administrator of a fresh install, the password
/// from standard input only, the same password policy as everywhere, nothing written on a refusal. Run
/// in-process against a host's services (the same code path as the process, with its own readers and
/// writers), plus once as a real process with the password piped in.
/// </summary>
public sealed class UsersCreateCommandTests(OnePassHostFixture fixture) : IClassFixture<OnePassHostFixture>
{
    private const string GoodPassword = "a long and quite unguessable passphrase";

    private OnePassHost Host => fixture.Host;

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task Create_WithPasswordOnStandardInput_CreatesAdministratorWhoCanSignInAndPrintsNoPassword()
    {
        var username = Name("boot");

        var result = await RunAsync(["create", "--admin", "--username", username, "--email", $"{username}@example.test", "--name", "Alex Boot"], GoodPassword + "\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(username, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(GoodPassword, result.Output + result.Error, StringComparison.Ordinal);
        await Host.WithServicesAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<OnePassUser>>();
            var user = await users.FindByNameAsync(username);
            Assert.NotNull(user);
            Assert.Equal("Alex Boot", user.DisplayName);
            Assert.True(await users.IsInRoleAsync(user, "admin"));
            Assert.True(await users.CheckPasswordAsync(user, GoodPassword));
        });
        using var browser = Host.CreateBrowser();
        Assert.False((await browser.SignInAsync(username, GoodPassword)).IsLoginPage);
    }

    [Fact]
    public async Task Create_Administrator_WritesChangeLogRowFromTheCommandLine()
    {
        var username = Name("audit");

        var result = await RunAsync(["create", "--admin", "--username", username, "--email", $"{username}@example.test"], GoodPassword + "\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        var row = await Host.WithDatabaseAsync(db => db.AdminChanges.AsNoTracking().SingleAsync(c => c.Action == "user.create" && c.After!.Contains(username)));
        Assert.Null(row.ActorUserId);
        Assert.Equal(UsersCommand.Actor, row.ActorName);
        Assert.DoesNotContain(GoodPassword, row.After!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("short\n")]
    [InlineData("onepass-is-my-long-password\n")]
    public async Task Create_EmptyOrPolicyFailingPassword_ExitsTwoWithMessageAndWritesNothing(string input)
    {
        var username = Name("weak");
        var rows = await Host.CountRowsAsync();

        var result = await RunAsync(["create", "--admin", "--username", username, "--email", $"{username}@example.test"], input);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("password", result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(rows, await Host.CountRowsAsync());
    }

    [Fact]
    public async Task Create_PasswordContainingTheUsername_ExitsTwo()
    {
        var username = Name("self");

        var result = await RunAsync(["create", "--admin", "--username", username, "--email", $"{username}@example.test"], $"my name is {username} ok\n");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("username", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("create")]
    [InlineData("create --username u-x --email x@example.test")]
    [InlineData("create --admin --email x@example.test")]
    [InlineData("create --admin --username u-x")]
    [InlineData("create --admin --username")]
    [InlineData("create --admin --username u-x --email x@example.test --role x")]
    [InlineData("create --admin --admin --username u-x --email x@example.test")]
    [InlineData("delete u-x")]
    [InlineData("")]
    public async Task Create_UsageError_PrintsUsageAndExitsTwo(string arguments)
    {
        var args = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var rows = await Host.CountRowsAsync();

        var result = await RunAsync(args, GoodPassword + "\n");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("Usage: users create --admin", result.Error, StringComparison.Ordinal);
        Assert.Equal(rows, await Host.CountRowsAsync());
    }

    [Theory]
    [InlineData("--password")]
    [InlineData("--password=secret-in-argv-0123456789")]
    public async Task Create_PasswordOption_IsRefusedAndExitsTwo(string option)
    {
        var username = Name("argv");

        var result = await RunAsync(["create", "--admin", "--username", username, "--email", $"{username}@example.test", option], GoodPassword + "\n");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("standard input", result.Error, StringComparison.Ordinal);
        Assert.False(await Host.WithDatabaseAsync(db => db.Users.AnyAsync(u => u.UserName == username)));
    }

    [Theory]
    [InlineData("bad name", "x@example.test", null)]
    [InlineData("u-ok", "not-an-email", null)]
    [InlineData("u-ok", "x@example.test", "\u0007bell")]
    public async Task Create_InvalidValue_ExitsTwoWithMessage(string username, string email, string? name)
    {
        string[] args = name is null
            ? ["create", "--admin", "--username", username, "--email", email]
            : ["create", "--admin", "--username", username, "--email", email, "--name", name];

        var result = await RunAsync(args, GoodPassword + "\n");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.False(await Host.WithDatabaseAsync(db => db.Users.AnyAsync(u => u.UserName == username)));
    }

    [Fact]
    public async Task Create_ExistingUsername_ExitsOneAndChangesNothing()
    {
        var rows = await Host.CountRowsAsync();

        var result = await RunAsync(["create", "--admin", "--username", TestSeed.Citizen, "--email", "someone@example.test"], GoodPassword + "\n");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("already exists", result.Error, StringComparison.Ordinal);
        Assert.Equal(rows, await Host.CountRowsAsync());
        await Host.WithServicesAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<OnePassUser>>();
            Assert.False(await users.IsInRoleAsync((await users.FindByNameAsync(TestSeed.Citizen))!, "admin"));
        });
    }

    [Theory]
    [InlineData(TestSeed.TaxClient)]
    [InlineData("AGENCY-Tax")] // the API compares client ids without case; so does this command
    [Trait(Catalogue.Row, "IN-AD-05")]
    public async Task Create_UsernameThatIsAClientId_ExitsOneAndChangesNothing(string username)
    {
        var rows = await Host.CountRowsAsync();

        var result = await RunAsync(["create", "--admin", "--username", username, "--email", "tax@example.test"], GoodPassword + "\n");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("client id", result.Error, StringComparison.Ordinal);
        Assert.Equal(rows, await Host.CountRowsAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task Process_FreshInstallWithPasswordPiped_CreatesAdministratorAndRoleAndExitsZero()
    {
        using var cli = new CliProcess();

        var result = await cli.RunAsync(["users", "create", "--admin", "--username", "first-admin", "--email", "first@example.test", "--name", "First Admin"],
            standardInput: GoodPassword + "\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("first-admin", result.Output, StringComparison.Ordinal);
        Assert.Contains("created", result.Output, StringComparison.Ordinal); // the admin role did not exist yet
        Assert.DoesNotContain(GoodPassword, result.Output + result.Error, StringComparison.Ordinal);
        var again = await cli.RunAsync(["users", "create", "--admin", "--username", "first-admin", "--email", "first@example.test"],
            standardInput: GoodPassword + "\n");
        Assert.True(again.ExitCode == 1, again.ToString());
    }

    private static string Name(string prefix) => $"cli-{prefix}-{Guid.NewGuid():N}"[..24];

    private async Task<CliResult> RunAsync(string[] args, string standardInput)
    {
        Host.EnsureStarted();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await UsersCommand.RunAsync(Host.Services, args, new StringReader(standardInput), output, error);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}
