namespace OnePass.AdminConsole.Features.Scopes;

/// <summary>The scope form as posted; the admin API validates it and its field errors are shown beside the fields.</summary>
public sealed class ScopeInputModel
{
    public string? Name { get; set; }

    public string? DisplayName { get; set; }

    public string? Description { get; set; }

    public List<string> Claims { get; set; } = [];

    public string? Version { get; set; }
}
