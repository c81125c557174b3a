namespace OnePass.IdentityProvider.Tests.Deploy;

/// <summary>deploy/k8s: every object well-formed; the identity provider highly available and probed (CONTRACT §6).</summary>
public sealed class KubernetesManifestTests
{
    private static readonly IReadOnlyList<(string File, Dictionary<object, object> Document)> Objects = DeployFiles.KubernetesObjects();

    private static Dictionary<object, object> Find(string kind, string name) =>
        Objects.Select(item => item.Document).SingleOrDefault(document => document.Kind() == kind && document.Name() == name)
        ?? throw new Xunit.Sdk.XunitException($"no {kind} '{name}' in deploy/k8s.");

    private static Dictionary<object, object> IdentityProvider => Find("Deployment", "identity-provider");

    private static Dictionary<object, object> Container(Dictionary<object, object> workload) =>
        (Dictionary<object, object>)((List<object>)workload.At("spec", "template", "spec", "containers")!)[0];

    public static TheoryData<string> Files() => [.. DeployFiles.KubernetesFiles.Select(Path.GetFileName).OfType<string>()];

    [Theory]
    [MemberData(nameof(Files))]
    public void Kubernetes_EveryDocument_HasApiVersionKindAndName(string file)
    {
        var documents = DeployFiles.ReadDocuments(Path.Combine(DeployFiles.Deploy, "k8s", file));

        Assert.NotEmpty(documents);
        Assert.All(documents, document =>
        {
            Assert.False(string.IsNullOrWhiteSpace(document.Text("apiVersion")), $"{file}: a document has no apiVersion.");
            Assert.False(string.IsNullOrWhiteSpace(document.Kind()), $"{file}: a document has no kind.");
            Assert.False(string.IsNullOrWhiteSpace(document.Name()), $"{file}: a {document.Kind()} has no metadata.name.");
        });
    }

    [Fact]
    public void Kubernetes_NamespacedObjects_LiveInTheOnePassNamespace()
    {
        var namespaced = Objects.Where(item => item.Document.Kind() != "Namespace").ToList();

        Assert.NotEmpty(namespaced);
        Assert.All(namespaced, item => Assert.Equal("onepass", item.Document.Map("metadata")?.Text("namespace")));
    }

    [Fact]
    public void Kubernetes_IdentityProviderDeployment_RunsAtLeastTwoReplicas()
    {
        Assert.True(IdentityProvider.Map("spec")?.Number("replicas") >= 2);
    }

    [Theory]
    [InlineData("readinessProbe", "/health/ready")]
    [InlineData("livenessProbe", "/health/live")]
    public void Kubernetes_IdentityProviderDeployment_ProbesTheContractHealthEndpoint(string probe, string path)
    {
        Assert.Equal(path, Container(IdentityProvider).At(probe, "httpGet", "path"));
    }

    [Fact]
    public void Kubernetes_IdentityProviderDeployment_HasResourceRequestsAndLimits()
    {
        var resources = Container(IdentityProvider).Map("resources");

        Assert.NotNull(resources?.Map("requests")?.Text("cpu"));
        Assert.NotNull(resources?.Map("requests")?.Text("memory"));
        Assert.NotNull(resources?.Map("limits")?.Text("memory"));
    }

    [Fact]
    public void Kubernetes_IdentityProviderDeployment_RunsAsNonRootOnAReadOnlyRootWithWritableTmp()
    {
        var pod = (Dictionary<object, object>)IdentityProvider.At("spec", "template", "spec")!;
        var container = Container(IdentityProvider);
        var tmpVolume = container.List("volumeMounts").OfType<Dictionary<object, object>>().Single(mount => mount.Text("mountPath") == "/tmp").Text("name");

        Assert.Equal("true", pod.At("securityContext", "runAsNonRoot"));
        Assert.Equal("true", container.At("securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("false", container.At("securityContext", "allowPrivilegeEscalation"));
        Assert.Contains(pod.List("volumes").OfType<Dictionary<object, object>>(), volume => volume.Text("name") == tmpVolume && volume.ContainsKey("emptyDir"));
    }

    [Fact]
    public void Kubernetes_HorizontalPodAutoscaler_KeepsAtLeastTwoIdentityProviderReplicas()
    {
        var autoscaler = Objects.Select(item => item.Document).Single(document => document.Kind() == "HorizontalPodAutoscaler");

        Assert.Equal("autoscaling/v2", autoscaler.Text("apiVersion"));
        Assert.Equal("identity-provider", autoscaler.At("spec", "scaleTargetRef", "name"));
        Assert.True(autoscaler.Map("spec")?.Number("minReplicas") >= 2);
        Assert.True(autoscaler.Map("spec")?.Number("maxReplicas") >= autoscaler.Map("spec")?.Number("minReplicas"));
    }

    [Fact]
    public void Kubernetes_PodDisruptionBudget_KeepsOneIdentityProviderPodAvailable()
    {
        var budget = Objects.Select(item => item.Document).Single(document => document.Kind() == "PodDisruptionBudget");
        var podLabels = (Dictionary<object, object>)IdentityProvider.At("spec", "template", "metadata", "labels")!;
        var selector = (Dictionary<object, object>)budget.At("spec", "selector", "matchLabels")!;

        Assert.Equal("policy/v1", budget.Text("apiVersion"));
        Assert.True(budget.Map("spec")?.Number("minAvailable") >= 1);
        Assert.All(selector, label => Assert.Equal(label.Value, podLabels.GetValueOrDefault(label.Key)));
    }

    [Fact]
    public void Kubernetes_Service_SelectsTheIdentityProviderPods()
    {
        var service = Find("Service", "identity-provider");
        var podLabels = (Dictionary<object, object>)IdentityProvider.At("spec", "template", "metadata", "labels")!;
        var selector = service.Map("spec")?.Map("selector") ?? [];

        Assert.NotEmpty(selector);
        Assert.All(selector, label => Assert.Equal(label.Value, podLabels.GetValueOrDefault(label.Key)));
    }

    [Fact]
    public void Kubernetes_Ingress_TerminatesTlsForEveryHost()
    {
        var ingress = Objects.Select(item => item.Document).Single(document => document.Kind() == "Ingress");
        var tlsHosts = ingress.Map("spec")!.List("tls").OfType<Dictionary<object, object>>().SelectMany(tls => tls.List("hosts").OfType<string>()).ToHashSet();
        var ruleHosts = ingress.Map("spec")!.List("rules").OfType<Dictionary<object, object>>().Select(rule => rule.Text("host")).ToList();

        Assert.NotEmpty(ruleHosts);
        Assert.All(ruleHosts, host => Assert.Contains(host!, tlsHosts));
    }

    [Fact]
    public void Kubernetes_Redis_RunsWithAppendOnlyOnAPersistentVolume()
    {
        var redis = Find("StatefulSet", "redis");
        var args = Container(redis).List("args").OfType<string>().ToList();
        var flag = args.IndexOf("--appendonly");

        Assert.True(flag >= 0 && flag + 1 < args.Count && args[flag + 1] == "yes", $"redis args are '{string.Join(' ', args)}'.");
        Assert.NotEmpty(redis.Map("spec")!.List("volumeClaimTemplates"));
    }

    [Fact]
    public void Kubernetes_AdminConsole_HasADeploymentAndAService()
    {
        Assert.NotNull(Find("Deployment", "admin-console"));
        Assert.NotNull(Find("Service", "admin-console"));
    }

    [Fact]
    public void Kubernetes_EveryReferencedConfigMapAndSecret_IsDefined()
    {
        var defined = Objects.Select(item => $"{item.Document.Kind()}/{item.Document.Name()}").ToHashSet(StringComparer.Ordinal);
        var referenced = KubernetesWorkloads.References(Objects.Select(item => item.Document)).ToList();

        Assert.NotEmpty(referenced);
        Assert.All(referenced, reference => Assert.Contains(reference, defined));
    }
}
