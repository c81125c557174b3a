namespace OnePass.AdminConsole.Tests;

/// <summary>The trait name that ties a test to a row of shared/CATALOGUE.md (the same name as TestKit's).</summary>
public static class Catalogue
{
    public const string Row = "catalogue";
}
