using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Agencies;
using OnePass.IdentityProvider.Features.Mfa;
using OnePass.IdentityProvider.Features.Authorization;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.Seed;

/// <summary>
/// Applies a seed file in one transaction: agencies and users are created or brought up to date;
/// applying the same file twice changes nothing (CONTRACT §3). A client is rewritten only when its
/// seed entry changed (a fingerprint of the entry is kept on the client) or its secret no longer matches.
/// </summary>
public sealed class SeedApplier(
    OnePassDbContext db,
    IOpenIddictApplicationManager applications,
    IOpenIddictScopeManager scopes,
    UserManager<OnePassUser> users,
    RoleManager<IdentityRole<Guid>> roles,
    TotpAuthenticator totp,
    ILogger<SeedApplier> logger)
{
    private const string FingerprintProperty = "onepass_seed_fingerprint";

    /// <summary>Reads, validates and applies a seed file. Throws <see cref="SeedException"/> when it is malformed.</summary>
    public async Task<SeedResult> ApplyFileAsync(string path, bool requireHttps, CancellationToken cancellationToken = default)
    {
        SeedFile? seed;
        try
        {
            await using var stream = File.OpenRead(path);
            seed = await JsonSerializer.DeserializeAsync<SeedFile>(stream, SeedFile.JsonOptions, cancellationToken);
        }
        catch (JsonException exception)
        {
            // The serializer's message does not always say where (an unknown member, a wrong type): name the entry.
            throw new SeedException(string.Create(CultureInfo.InvariantCulture,
                $"The seed file '{path}' cannot be read at {exception.Path ?? "$"} (line {exception.LineNumber + 1}): {exception.Message}"));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new SeedException($"The seed file '{path}' cannot be read: {exception.Message}");
        }

        if (seed is null)
        {
            throw new SeedException($"The seed file '{path}' is empty.");
        }

        return await ApplyAsync(seed, requireHttps, cancellationToken);
    }

    public async Task<SeedResult> ApplyAsync(SeedFile seed, bool requireHttps, CancellationToken cancellationToken = default)
    {
        var errors = SeedValidator.Validate(seed, requireHttps).ToList();
        if (errors.Count == 0)
        {
            await AddCollisionsWithStoredEntriesAsync(seed, errors, cancellationToken);
        }

        if (errors.Count > 0)
        {
            throw new SeedException("The seed file is malformed; nothing was changed:\n  " + string.Join("\n  ", errors));
        }

        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var result = new SeedResult();
            foreach (var client in seed.Clients)
            {
                await ApplyClientAsync(client, result, cancellationToken);
            }

            foreach (var user in seed.Users)
            {
                await ApplyUserAsync(user, result);
            }

            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Seed applied: {Created} created, {Updated} updated, {Unchanged} unchanged.",
                result.Created, result.Updated, result.Unchanged);
            return result;
        });
    }

    // A clientId must not equal a username, also one stored by an earlier seed or by sign-up (CATALOGUE IN-AD-05);
    // a scope is a built-in one or a custom scope defined in the database (through the admin API).
    private async Task AddCollisionsWithStoredEntriesAsync(SeedFile seed, List<string> errors, CancellationToken cancellationToken)
    {
        foreach (var (client, index) in seed.Clients.Select((c, i) => (c, i)))
        {
            if (await users.FindByNameAsync(client.ClientId!) is not null)
            {
                errors.Add($"clients[{index}] ({client.ClientId}): the clientId is already a username; choose another.");
            }

            foreach (var scope in client.Scopes.Where(scope => !ScopeClaims.IsBuiltIn(scope)).Distinct(StringComparer.Ordinal))
            {
                if (await scopes.FindByNameAsync(scope, cancellationToken) is null)
                {
                    errors.Add($"clients[{index}] ({client.ClientId}): unknown scope '{scope}' (allowed: {string.Join(", ", ScopeClaims.BuiltIn)} " +
                        "or a custom scope defined through the admin API).");
                }
            }
        }

        foreach (var (user, index) in seed.Users.Select((u, i) => (u, i)))
        {
            if (await applications.FindByClientIdAsync(user.Username!, cancellationToken) is not null)
            {
                errors.Add($"users[{index}] ({user.Username}): the username is already a clientId; choose another.");
            }
        }
    }

    private async Task ApplyClientAsync(SeedClient client, SeedResult result, CancellationToken cancellationToken)
    {
        var descriptor = ToDescriptor(client);
        var existing = await applications.FindByClientIdAsync(client.ClientId!, cancellationToken);
        if (existing is null)
        {
            await applications.CreateAsync(descriptor, cancellationToken);
            result.Created++;
            return;
        }

        var properties = await applications.GetPropertiesAsync(existing, cancellationToken);
        var sameEntry = properties.TryGetValue(FingerprintProperty, out var stored) &&
            stored.ValueKind == JsonValueKind.String && stored.GetString() == Fingerprint(client);
        var sameSecret = client.ClientSecret is null
            ? !await applications.HasClientTypeAsync(existing, ClientTypes.Confidential, cancellationToken) || client.Jwks is not null
            : await applications.ValidateClientSecretAsync(existing, client.ClientSecret, cancellationToken);
        if (sameEntry && sameSecret)
        {
            result.Unchanged++;
            return;
        }

        // Keep the stored (hashed) secret unless the seed's secret differs from it.
        var current = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(current, existing, cancellationToken);
        descriptor.ClientSecret = sameSecret ? current.ClientSecret : client.ClientSecret;

        // What administrators set through the admin API (contact, disabled, secret rotation) is not in the seed: keep it.
        foreach (var name in AgencyDescriptors.AdministeredProperties)
        {
            if (current.Properties.TryGetValue(name, out var value))
            {
                descriptor.Properties[name] = value;
            }
        }

        await applications.UpdateAsync(existing, descriptor, cancellationToken); // hashes a changed secret
        result.Updated++;
    }

    private async Task ApplyUserAsync(SeedUser seedUser, SeedResult result)
    {
        var user = await users.FindByNameAsync(seedUser.Username!);
        var created = user is null;
        user ??= new OnePassUser { UserName = seedUser.Username, LockoutEnabled = true };

        var changed = created;
        changed |= Set(user.Email, seedUser.Email, value => user.Email = value);
        changed |= Set(user.EmailConfirmed, seedUser.EmailConfirmed, value => user.EmailConfirmed = value);
        changed |= Set(user.DisplayName, seedUser.Name, value => user.DisplayName = value);

        if (created)
        {
            var outcome = seedUser.Password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, seedUser.Password);
            Ensure(outcome, seedUser.Username!);
        }
        else
        {
            if (changed)
            {
                Ensure(await users.UpdateAsync(user), seedUser.Username!);
            }

            if (seedUser.Password is not null && !await users.CheckPasswordAsync(user, seedUser.Password))
            {
                await users.RemovePasswordAsync(user);
                Ensure(await users.AddPasswordAsync(user, seedUser.Password), seedUser.Username!);
                changed = true;
            }
        }

        foreach (var role in seedUser.Roles.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Ensure(await roles.CreateAsync(new IdentityRole<Guid>(role)), role);
            }

            if (!await users.IsInRoleAsync(user, role))
            {
                Ensure(await users.AddToRoleAsync(user, role), seedUser.Username!);
                changed = true;
            }
        }

        // A seeded authenticator app is enrolled as confirmed (test and demo accounts, CONTRACT §3).
        if (seedUser.TotpSecret is not null)
        {
            var secret = OtpNet.Base32Encoding.ToBytes(seedUser.TotpSecret);
            if (!await totp.IsEnrolledWithAsync(user.Id, secret))
            {
                await totp.EnrolConfirmedAsync(user.Id, secret);
                changed = true;
            }
        }

        if (created)
        {
            result.Created++;
        }
        else if (changed)
        {
            result.Updated++;
        }
        else
        {
            result.Unchanged++;
        }
    }

    private static OpenIddictApplicationDescriptor ToDescriptor(SeedClient client)
    {
        var isConfidential = client.ClientSecret is not null || client.Jwks is not null;
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientSecret = client.ClientSecret,
            ClientType = isConfidential ? ClientTypes.Confidential : ClientTypes.Public,
            ApplicationType = ApplicationTypes.Web,
            ConsentType = client.Consent == "implicit" ? ConsentTypes.Implicit : ConsentTypes.Explicit,
            DisplayName = client.DisplayName ?? client.ClientId,
            JsonWebKeySet = client.Jwks is { } jwks ? new JsonWebKeySet(jwks.GetRawText()) : null,
        };

        foreach (var uri in client.RedirectUris)
        {
            descriptor.RedirectUris.Add(new Uri(uri, UriKind.Absolute));
        }

        foreach (var uri in client.PostLogoutRedirectUris)
        {
            descriptor.PostLogoutRedirectUris.Add(new Uri(uri, UriKind.Absolute));
        }

        AgencyDescriptors.SetPermissions(descriptor, isConfidential, client.GrantTypes, client.Scopes, client.RequirePkce);
        new AgencySettings(client.SubjectType, AgencyRules.Sector(client.ClientId!, client.SectorIdentifier, client.RedirectUris), client.MinimumAcr)
            .WriteTo(descriptor);
        AgencyDescriptors.SetProperty(descriptor, AgencySettings.FrontchannelLogoutUriProperty, client.FrontchannelLogoutUri);
        AgencyDescriptors.SetProperty(descriptor, AgencySettings.BackchannelLogoutUriProperty, client.BackchannelLogoutUri);
        AgencyDescriptors.SetProperty(descriptor, AgencyDescriptors.SectorIdentifierProperty, client.SectorIdentifier);
        descriptor.Properties[FingerprintProperty] = JsonSerializer.SerializeToElement(Fingerprint(client));
        return descriptor;
    }

    // A digest of the entry without its secret: equal digests mean nothing else to update.
    private static string Fingerprint(SeedClient client)
    {
        var copy = JsonSerializer.SerializeToNode(client, SeedFile.JsonOptions)!.AsObject();
        copy.Remove("clientSecret");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(copy.ToJsonString())));
    }

    private static bool Set<T>(T current, T wanted, Action<T> assign)
    {
        if (EqualityComparer<T>.Default.Equals(current, wanted))
        {
            return false;
        }

        assign(wanted);
        return true;
    }

    private static void Ensure(IdentityResult result, string entry)
    {
        if (!result.Succeeded)
        {
            throw new SeedException(string.Create(CultureInfo.InvariantCulture,
                $"The seed entry '{entry}' was refused: {string.Join(" ", result.Errors.Select(e => e.Description))}"));
        }
    }
}

public sealed class SeedResult
{
    public int Created { get; set; }

    public int Updated { get; set; }

    public int Unchanged { get; set; }
}

public sealed class SeedException(string message) : Exception(message);
