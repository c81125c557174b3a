namespace OnePass.IdentityProvider.Tests.Deploy;

/// <summary>Every OnePass setting the deploy files set is one OnePass reads (CONTRACT §1–§2, OnePassOptions).</summary>
public sealed class SettingNameTests
{
    public static TheoryData<string, string> ComposeSettings()
    {
        var data = new TheoryData<string, string>();
        var services = DeployFiles.ReadDocuments(DeployFiles.ComposeFile).Single().Map("services") ?? [];
        foreach (var (service, definition) in services)
        {
            foreach (var name in ((Dictionary<object, object>)definition).ComposeEnvironment().Keys)
            {
                data.Add((string)service, name);
            }
        }

        return data;
    }

    public static TheoryData<string, string> KubernetesSettings()
    {
        var data = new TheoryData<string, string>();
        foreach (var (workload, name) in KubernetesWorkloads.EnvironmentNames(DeployFiles.KubernetesObjects().Select(item => item.Document)).Distinct())
        {
            data.Add(workload, name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ComposeSettings))]
    public void Compose_EnvironmentName_IsAKnownSetting(string service, string name)
    {
        Assert.True(KnownSettings.IsKnown(name), $"compose service '{service}' sets '{name}', which OnePass does not read.");
    }

    [Theory]
    [MemberData(nameof(KubernetesSettings))]
    public void Kubernetes_EnvironmentName_IsAKnownSetting(string workload, string name)
    {
        Assert.True(KnownSettings.IsKnown(name), $"workload '{workload}' gets '{name}', which OnePass does not read.");
    }

    [Theory]
    [InlineData("OnePass__Issuer")]
    [InlineData("onepass__issuer")]
    [InlineData("OnePass__KnownProxies__3")]
    [InlineData("OnePass__Keys__Algorithm")]
    [InlineData("OnePass__Passkeys__Origins__0")]
    [InlineData("ConnectionStrings__Redis")]
    [InlineData("ASPNETCORE_URLS")]
    public void KnownSettings_RealName_IsAccepted(string name)
    {
        Assert.True(KnownSettings.IsKnown(name));
    }

    [Theory]
    [InlineData("OnePass__Isuer")]
    [InlineData("OnePass_Issuer")]
    [InlineData("OnePass__KnownProxy__0")]
    [InlineData("ConnectionStrings__Postgres")]
    public void KnownSettings_Typo_IsRefused(string name)
    {
        Assert.False(KnownSettings.IsKnown(name));
    }
}
