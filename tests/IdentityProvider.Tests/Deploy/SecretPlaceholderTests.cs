using System.Text;

namespace OnePass.IdentityProvider.Tests.Deploy;

/// <summary>The Secrets we ship hold placeholders only: nobody deploys a key that is in the repository.</summary>
public sealed class SecretPlaceholderTests
{
    public static TheoryData<string, string> SecretValues()
    {
        var data = new TheoryData<string, string>();
        foreach (var (_, secret) in DeployFiles.KubernetesObjects().Where(item => item.Document.Kind() == "Secret"))
        {
            foreach (var (key, value) in secret.Map("stringData") ?? [])
            {
                data.Add($"{secret.Name()}/{key}", value as string ?? "");
            }

            foreach (var (key, value) in secret.Map("data") ?? [])
            {
                data.Add($"{secret.Name()}/{key}", Encoding.UTF8.GetString(Convert.FromBase64String(value as string ?? "")));
            }
        }

        return data;
    }

    [Fact]
    public void Kubernetes_Secrets_AreShipped()
    {
        Assert.NotEmpty(SecretValues());
    }

    [Theory]
    [MemberData(nameof(SecretValues))]
    public void Kubernetes_SecretValue_IsAPlaceholder(string key, string value)
    {
        Assert.Contains(SecretScan.Placeholder, value, StringComparison.OrdinalIgnoreCase);
        Assert.True(SecretScan.RealLookingParts(value).Count == 0,
            $"{key} holds something that looks like a real secret: {string.Join(", ", SecretScan.RealLookingParts(value))}");
    }

    [Theory]
    [InlineData("Host=db;Username=onepass;Password=Wq8#rT2vLp9zXk4m")]
    [InlineData("{\"clientSecret\": \"a-real-looking-client-secret-of-40-chars\"}")]
    [InlineData("token: eyJhbGciOiJSUzI1NiJ9AbCdEf0123456789")]
    public void SecretScan_RealLookingValue_IsFound(string value)
    {
        Assert.NotEmpty(SecretScan.RealLookingParts(value));
    }

    [Theory]
    [InlineData("Host=db;Username=onepass;Password=change-me;SSL Mode=VerifyFull")]
    [InlineData("{\"clientSecret\": \"change-me-at-least-32-characters-of-secret\", \"password\": \"change-me to a long passphrase\"}")]
    public void SecretScan_Placeholder_IsNotFound(string value)
    {
        Assert.Empty(SecretScan.RealLookingParts(value));
    }
}
