using OnePass.TestKit;

namespace OnePass.IdentityProvider.Tests.Cli;

/// <summary>The subcommands and the start-up seed, run as real processes (CONTRACT §1, §3; CATALOGUE IN-AD-08).</summary>
public sealed class CliTests : IDisposable
{
    private readonly CliProcess _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task Migrate_OnEmptyDatabase_ExitsZeroAndCreatesTheTables()
    {
        var result = await _cli.RunAsync(["migrate"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var tables = await _cli.TablesAsync();
        Assert.Contains("OpenIddictApplications", tables);
        Assert.Contains("AspNetUsers", tables);
        Assert.Contains("OnePassKeys", tables);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task Seed_SameFileTwice_SecondRunCreatesNothing()
    {
        var seed = TestSeed.Write(TestSeed.Create(), _cli.Directory);
        var first = await _cli.RunAsync(["seed", seed]);

        var second = await _cli.RunAsync(["seed", seed]);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("0 created, 0 updated", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task Seed_MalformedFile_ExitsNonZeroNamingTheEntryAndChangesNothing()
    {
        var good = await _cli.RunAsync(["seed", TestSeed.Write(TestSeed.Create(), _cli.Directory)]);
        Assert.True(good.ExitCode == 0, good.ToString());
        var before = await _cli.ChecksumAsync();

        var bad = await _cli.RunAsync(["seed", WriteBadSeed()]);

        Assert.True(bad.ExitCode != 0, bad.ToString());
        Assert.Contains("agency-bad", bad.Error, StringComparison.Ordinal);
        Assert.Equal(before, await _cli.ChecksumAsync());
    }

    [Fact]
    [Trait(Catalogue.Row, "IN-AD-08")]
    public async Task Server_WithMalformedSeedFile_StopsWithNonZeroExitNamingTheEntry()
    {
        var result = await _cli.RunAsync(["--urls", "http://127.0.0.1:0"], new Dictionary<string, string> { ["OnePass__SeedFile"] = WriteBadSeed() });

        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains("agency-bad", result.Error, StringComparison.Ordinal);
        Assert.Contains("password", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Catalogue.Row, "FT-13")]
    public async Task KeysRotate_ThenList_ShowsTwoSigningKeys()
    {
        var rotate = await _cli.RunAsync(["keys", "rotate"]);

        var list = await _cli.RunAsync(["keys", "list"]);

        Assert.True(rotate.ExitCode == 0, rotate.ToString());
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal(2, list.Output.Split('\n').Count(line => line.Contains("\tsig\t", StringComparison.Ordinal)));
    }

    private string WriteBadSeed()
    {
        var seed = TestSeed.Create();
        seed["clients"]!.AsArray().Add(TestSeed.Client("agency-bad", "bad-secret-0123456789-0123456789-abcdef", "Bad Agency",
            ["http://127.0.0.1:7012/signin-oidc"], [], "explicit", ["password"], ["openid"]));
        var path = Path.Combine(_cli.Directory, "bad.json");
        File.WriteAllText(path, seed.ToJsonString());
        return path;
    }
}
