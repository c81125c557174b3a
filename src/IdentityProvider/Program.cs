using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Account;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Seed;
using OnePass.IdentityProvider.Features.Sessions;
using OnePass.IdentityProvider.Infrastructure;
using OnePass.IdentityProvider.Infrastructure.Cli;
using OnePass.IdentityProvider.Infrastructure.Health;
using OnePass.IdentityProvider.Infrastructure.Keys;

var builder = WebApplication.CreateBuilder(Commands.HostArguments(args));

builder.AddOnePassWeb();
builder.AddOnePassDatabase();
builder.AddOnePassRedis();
builder.AddOnePassKeys();
builder.AddOnePassIdentity();
builder.AddOnePassSessions();
builder.AddOnePassOpenIddict();
builder.AddOnePassSeed();

var app = builder.Build();

if (Commands.IsCommand(args))
{
    return await Commands.RunAsync(app.Services, args);
}

try
{
    await app.Services.InitializeOnePassAsync();
}
catch (Exception exception) when (exception is SeedException or Microsoft.Extensions.Options.OptionsValidationException)
{
    // A malformed seed or configuration stops the start with a message naming the problem; nothing was written.
    await Console.Error.WriteLineAsync(exception.Message);
    return 1;
}

app.UseOnePassWeb();
app.MapRazorPages();
app.MapOnePassAuthorizationEndpoints();
app.MapOnePassHealth();

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
