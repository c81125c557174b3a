namespace OnePass.TestKit;

/// <summary>The trait name that ties a test to a row of shared/CATALOGUE.md: [Trait(Catalogue.Row, "IN-AZ-01")].</summary>
public static class Catalogue
{
    public const string Row = "catalogue";
}
