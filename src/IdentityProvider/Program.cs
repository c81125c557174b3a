using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Account;
using OnePass.IdentityProvider.Features.AdminApi;
using OnePass.IdentityProvider.Features.Email;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.IdentityProvider.Features.Mfa.Passkeys;
using OnePass.IdentityProvider.Features.Seed;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.IdentityProvider.Infrastructure;
using OnePass.IdentityProvider.Infrastructure.Cli;
using OnePass.IdentityProvider.Infrastructure.Health;
using OnePass.IdentityProvider.Infrastructure.Keys;
using OnePass.IdentityProvider.Infrastructure.Telemetry;

var builder = WebApplication.CreateBuilder(Commands.HostArguments(args));

builder.AddOnePassWeb();
builder.AddOnePassDatabase();
builder.AddOnePassRedis();
builder.AddOnePassKeys();
builder.AddOnePassIdentity();
builder.AddOnePassSessions();
builder.AddOnePassMfa();
builder.AddOnePassPasskeys();
builder.AddOnePassOpenIddict();
builder.AddOnePassSeed();
builder.AddOnePassAdminApi();
builder.AddOnePassEmail();
builder.AddOnePassTelemetry();

var app = builder.Build();

if (Commands.IsCommand(args))
{
    return await Commands.RunAsync(app.Services, args);
}

try
{
    await app.Services.InitializeOnePassAsync();
}
catch (System.Security.Cryptography.CryptographicException exception)
{
    // The database's keys are protected by a key ring this node cannot read (CATALOGUE FT-10).
    await Console.Error.WriteLineAsync(
        "The keys in the database cannot be decrypted with the Data Protection key ring found there: " +
        $"the key ring is missing or was replaced. Restore it or point this node at the right database. ({exception.Message})");
    return 1;
}
catch (Exception exception) when (exception is SeedException or Microsoft.Extensions.Options.OptionsValidationException)
{
    // A malformed seed or configuration stops the start with a message naming the problem; nothing was written.
    await Console.Error.WriteLineAsync(exception.Message);
    return 1;
}

app.UseOnePassWeb();
app.MapRazorPages();
app.MapOnePassPasskeys();
app.MapOnePassAuthorizationEndpoints();
app.MapOnePassAdminApi();
app.MapOnePassHealth();

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
