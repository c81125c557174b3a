using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Agencies;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Infrastructure;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.AdminApi.Agencies;

/// <summary>
/// Checks an agency body field by field (one message per broken rule, under the field's name as in the body)
/// with the rules the seed file obeys too (<see cref="AgencyRules"/>), plus what only a stored registration
/// can tell: the client id is free (no agency and no username has it, whatever the case) and every scope exists.
/// https outside loopback follows OnePass__RequireHttps, as for the seed; private logout addresses are refused
/// in Production.
/// </summary>
public sealed class AgencyValidator(
    OnePassDbContext db,
    UserManager<OnePassUser> users,
    IOpenIddictScopeManager scopes,
    Microsoft.Extensions.Options.IOptions<OnePassOptions> options,
    IHostEnvironment environment)
{
    public const string Confidential = "confidential";
    public const string Public = "public";

    /// <summary>The field errors of a registration; empty when it may be created.</summary>
    public async Task<Dictionary<string, string[]>> ValidateCreateAsync(AgencyInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (input.Version is not null)
        {
            Add(errors, "version", "A new agency has no version yet: leave 'version' out.");
        }

        if (input.ClientType is not (Confidential or Public))
        {
            Add(errors, "clientType", "'clientType' must be 'confidential' or 'public'.");
        }

        if (!AgencyRules.IsClientId(input.ClientId))
        {
            Add(errors, "clientId", Sentence(AgencyRules.ClientIdRule));
        }
        else
        {
            if (await AgencyDescriptors.ClientIdExistsAsync(db, input.ClientId!, cancellationToken))
            {
                Add(errors, "clientId", "An agency with this client id already exists; choose another.");
            }
            else if (await users.FindByNameAsync(input.ClientId!) is not null)
            {
                Add(errors, "clientId", "This client id is already a username; choose another.");
            }
        }

        await AddRuleProblemsAsync(input, input.ClientType == Public, errors, cancellationToken);
        return Freeze(errors);
    }

    /// <summary>The field errors of an edit of the agency held by <paramref name="current"/>; empty when it may be saved.</summary>
    public async Task<Dictionary<string, string[]>> ValidateUpdateAsync(
        AgencyInput input, OpenIddictApplicationDescriptor current, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(current);
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (input.ClientId is not null && !string.Equals(input.ClientId, current.ClientId, StringComparison.Ordinal))
        {
            Add(errors, "clientId", "The client id cannot be changed; register a new agency instead.");
        }

        if (input.ClientType is not null && !string.Equals(input.ClientType, current.ClientType, StringComparison.Ordinal))
        {
            Add(errors, "clientType", "The client type cannot be changed; register a new agency instead.");
        }

        await AddRuleProblemsAsync(input, current.ClientType == ClientTypes.Public, errors, cancellationToken);

        // Pairwise subjects are derived from the sector: changing it would give every citizen a new identifier at the agency.
        if (!errors.ContainsKey("sectorIdentifier") && input.SectorIdentifier is not null &&
            Uri.TryCreate(input.SectorIdentifier, UriKind.Absolute, out var sector) &&
            AgencyDescriptors.GetString(current.Properties, AgencySettings.SectorProperty) is { } stored &&
            !string.Equals(sector.Host, stored, StringComparison.OrdinalIgnoreCase))
        {
            Add(errors, "sectorIdentifier", $"The sector identifier must stay on the host '{stored}': another host would change every citizen's identifier at this agency.");
        }

        return Freeze(errors);
    }

    /// <summary>Writes the editable fields of <paramref name="input"/> (already validated) into <paramref name="descriptor"/>; other properties stay.</summary>
    public static void Apply(AgencyInput input, OpenIddictApplicationDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(descriptor);
        descriptor.DisplayName = input.DisplayName;
        descriptor.ConsentType = input.Consent == "implicit" ? ConsentTypes.Implicit : ConsentTypes.Explicit;
        descriptor.RedirectUris.Clear();
        foreach (var uri in input.RedirectUris!)
        {
            descriptor.RedirectUris.Add(new Uri(uri!, UriKind.Absolute));
        }

        descriptor.PostLogoutRedirectUris.Clear();
        foreach (var uri in input.PostLogoutRedirectUris!)
        {
            descriptor.PostLogoutRedirectUris.Add(new Uri(uri!, UriKind.Absolute));
        }

        var grants = input.GrantTypes!.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var scopes = input.Scopes!.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        AgencyDescriptors.SetPermissions(descriptor, descriptor.ClientType == ClientTypes.Confidential, grants, scopes, input.RequirePkce);

        // The sector is fixed at registration (pairwise subjects depend on it); an edit never moves it.
        var sector = AgencyDescriptors.GetString(descriptor.Properties, AgencySettings.SectorProperty)
            ?? AgencyRules.Sector(descriptor.ClientId!, input.SectorIdentifier, input.RedirectUris!.OfType<string>());
        new AgencySettings(input.SubjectType!, sector, input.MinimumAcr).WriteTo(descriptor);
        AgencyDescriptors.SetProperty(descriptor, AgencyDescriptors.SectorIdentifierProperty, input.SectorIdentifier);
        AgencyDescriptors.SetProperty(descriptor, AgencySettings.FrontchannelLogoutUriProperty, input.FrontchannelLogoutUri);
        AgencyDescriptors.SetProperty(descriptor, AgencySettings.BackchannelLogoutUriProperty, input.BackchannelLogoutUri);
        AgencyDescriptors.SetProperty(descriptor, AgencySettings.ContactEmailProperty, input.ContactEmail);
    }

    private async Task AddRuleProblemsAsync(AgencyInput input, bool isPublic, Dictionary<string, List<string>> errors, CancellationToken cancellationToken)
    {
        // The admin scope is never given through the API: only the console's own client (from configuration)
        // or a tool an operator seeds may hold it, so no agency can collect administrators' API tokens.
        var known = new HashSet<string>(ScopeClaims.BuiltIn.Where(scope => scope != AdminApiServiceCollectionExtensions.Scope), StringComparer.Ordinal);
        foreach (var scope in (input.Scopes ?? []).OfType<string>().Distinct(StringComparer.Ordinal).Where(scope => !known.Contains(scope)))
        {
            if (scope.Length is > 0 and <= 200 && await scopes.FindByNameAsync(scope, cancellationToken) is not null)
            {
                known.Add(scope);
            }
        }

        var draft = new AgencyDraft
        {
            DisplayName = input.DisplayName,
            DisplayNameRequired = true,
            IsPublic = isPublic,
            RedirectUris = input.RedirectUris!,
            PostLogoutRedirectUris = input.PostLogoutRedirectUris!,
            FrontchannelLogoutUri = input.FrontchannelLogoutUri,
            BackchannelLogoutUri = input.BackchannelLogoutUri,
            SectorIdentifier = input.SectorIdentifier,
            GrantTypes = input.GrantTypes!,
            Scopes = input.Scopes!,
            Consent = input.Consent,
            SubjectType = input.SubjectType,
            RequirePkce = input.RequirePkce,
            MinimumAcr = input.MinimumAcr,
            ContactEmail = input.ContactEmail,
        };

        var requireHttps = options.Value.RequireHttps ?? !environment.IsDevelopment();
        foreach (var problem in AgencyRules.Check(draft, known, requireHttps, refusePrivateLogoutAddresses: environment.IsProduction()))
        {
            Add(errors, problem.Field, Sentence(problem.Message));
        }
    }

    private static void Add(Dictionary<string, List<string>> errors, string field, string message)
    {
        if (!errors.TryGetValue(field, out var messages))
        {
            errors[field] = messages = [];
        }

        messages.Add(message);
    }

    private static Dictionary<string, string[]> Freeze(Dictionary<string, List<string>> errors) =>
        errors.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>A rule's message as a sentence: capital first letter, final full stop.</summary>
    private static string Sentence(string message) =>
        char.ToUpper(message[0], CultureInfo.InvariantCulture) + message[1..] + (message.EndsWith('.') ? string.Empty : ".");
}
