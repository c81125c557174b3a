using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.AdminConsole.Features.Scopes;
using OnePass.AdminConsole.Infrastructure.AdminApi;

namespace OnePass.AdminConsole.Features.Agencies;

/// <summary>
/// The agency form as posted. Strings are nullable on purpose: the admin API is the one place that validates an
/// agency, and its field errors are shown beside these fields (<see cref="ApiErrorsModelState"/>).
/// Redirect and post-logout URIs are one per line.
/// </summary>
public sealed class AgencyInputModel
{
    public string? ClientId { get; set; }

    public string ClientType { get; set; } = "confidential";

    public string? DisplayName { get; set; }

    public string? ContactEmail { get; set; }

    public string? RedirectUris { get; set; }

    public string? PostLogoutRedirectUris { get; set; }

    public string? FrontchannelLogoutUri { get; set; }

    public string? BackchannelLogoutUri { get; set; }

    public List<string> GrantTypes { get; set; } = ["authorization_code"];

    public List<string> Scopes { get; set; } = ["openid"];

    public bool RequirePkce { get; set; } = true;

    public string Consent { get; set; } = "explicit";

    public string SubjectType { get; set; } = "pairwise";

    public string? SectorIdentifier { get; set; }

    public string? MinimumAcr { get; set; }

    public string? Version { get; set; }

    public static AgencyInputModel From(Agency agency) => new()
    {
        ClientId = agency.ClientId,
        ClientType = agency.ClientType,
        DisplayName = agency.DisplayName,
        ContactEmail = agency.ContactEmail,
        RedirectUris = string.Join('\n', agency.RedirectUris),
        PostLogoutRedirectUris = string.Join('\n', agency.PostLogoutRedirectUris),
        FrontchannelLogoutUri = agency.FrontchannelLogoutUri,
        BackchannelLogoutUri = agency.BackchannelLogoutUri,
        GrantTypes = [.. agency.GrantTypes],
        Scopes = [.. agency.Scopes],
        RequirePkce = agency.RequirePkce,
        Consent = agency.Consent,
        SubjectType = agency.SubjectType,
        SectorIdentifier = agency.SectorIdentifier,
        MinimumAcr = agency.MinimumAcr,
        Version = agency.Version,
    };

    public AgencyCreateRequest ToCreateRequest() => new(
        Text(ClientId) ?? string.Empty, ClientType, Text(DisplayName) ?? string.Empty, Text(ContactEmail),
        Lines(RedirectUris), Lines(PostLogoutRedirectUris), Text(FrontchannelLogoutUri), Text(BackchannelLogoutUri),
        GrantTypes, Scopes, RequirePkce, Consent, SubjectType, Text(SectorIdentifier), Text(MinimumAcr));

    public AgencyUpdateRequest ToUpdateRequest() => new(
        Text(DisplayName) ?? string.Empty, Text(ContactEmail),
        Lines(RedirectUris), Lines(PostLogoutRedirectUris), Text(FrontchannelLogoutUri), Text(BackchannelLogoutUri),
        GrantTypes, Scopes, RequirePkce, Consent, SubjectType, Text(SectorIdentifier), Text(MinimumAcr), Version ?? string.Empty);

    /// <summary>The non-blank lines of a textarea, trimmed: the list the API receives, so that line N is item N-1.</summary>
    public static IReadOnlyList<string> Lines(string? text) =>
        [.. (text ?? string.Empty).Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0)];

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>What the create and edit pages share: the input, the choices, and turning API errors into field errors.</summary>
public abstract class AgencyFormPageModel(AdminApiClient api, ScopeCatalog scopes) : PageModel
{
    public static readonly IReadOnlyList<(string Value, string Label, string Hint)> GrantTypeChoices =
    [
        ("authorization_code", "Authorization code", "Citizens sign in through the browser (with PKCE)."),
        ("refresh_token", "Refresh token", "The agency renews tokens without a new sign-in."),
        ("client_credentials", "Client credentials", "The agency calls APIs as itself (confidential clients only)."),
    ];

    public static readonly IReadOnlyList<(string? Value, string Label)> AcrChoices =
    [
        (null, "No minimum (what the agency asks for)"),
        ("urn:onepass:loa:1", "Password (urn:onepass:loa:1)"),
        ("urn:onepass:loa:2", "Two factors (urn:onepass:loa:2)"),
        ("urn:onepass:loa:3", "Passkey (urn:onepass:loa:3)"),
    ];

    protected AdminApiClient Api { get; } = api;

    [BindProperty]
    public AgencyInputModel Input { get; set; } = new();

    public IReadOnlyList<Scope> AvailableScopes { get; private set; } = [];

    public abstract bool IsCreate { get; }

    protected async Task LoadChoicesAsync(CancellationToken cancellationToken) =>
        AvailableScopes = await scopes.AllAsync(cancellationToken);

    /// <summary>The API's field errors beside the fields; a list item is named by its line or value.</summary>
    protected void ShowErrors(AdminApiValidationException exception) =>
        ModelState.AddApiErrors(exception, describeItem: (field, index) => field switch
        {
            "redirectUris" => Describe(ApiErrorsModelState.Line(index), AgencyInputModel.Lines(Input.RedirectUris), index),
            "postLogoutRedirectUris" => Describe(ApiErrorsModelState.Line(index), AgencyInputModel.Lines(Input.PostLogoutRedirectUris), index),
            "grantTypes" => index < Input.GrantTypes.Count ? Input.GrantTypes[index] : null,
            "scopes" => index < Input.Scopes.Count ? Input.Scopes[index] : null,
            _ => null,
        });

    private static string Describe(string label, IReadOnlyList<string> items, int index) =>
        index < items.Count ? $"{label} ({items[index]})" : label;
}
