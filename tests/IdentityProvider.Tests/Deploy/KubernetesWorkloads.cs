namespace OnePass.IdentityProvider.Tests.Deploy;

/// <summary>What the workloads in deploy/k8s (Deployments, StatefulSets, Jobs) take from ConfigMaps and Secrets.</summary>
internal static class KubernetesWorkloads
{
    private static readonly string[] WorkloadKinds = ["Deployment", "StatefulSet", "Job", "DaemonSet"];

    public static IEnumerable<Dictionary<object, object>> Containers(IEnumerable<Dictionary<object, object>> documents) =>
        documents.Where(document => WorkloadKinds.Contains(document.Kind()))
            .Select(document => document.At("spec", "template", "spec") as Dictionary<object, object> ?? [])
            .SelectMany(pod => pod.List("containers").Concat(pod.List("initContainers")))
            .OfType<Dictionary<object, object>>();

    /// <summary>"ConfigMap/name" and "Secret/name" for every envFrom and volume reference of a workload.</summary>
    public static IEnumerable<string> References(IEnumerable<Dictionary<object, object>> documents)
    {
        var list = documents.ToList();
        foreach (var source in Containers(list).SelectMany(container => container.List("envFrom")).OfType<Dictionary<object, object>>())
        {
            if (source.Map("configMapRef")?.Text("name") is { } configMap)
            {
                yield return $"ConfigMap/{configMap}";
            }

            if (source.Map("secretRef")?.Text("name") is { } secret)
            {
                yield return $"Secret/{secret}";
            }
        }

        var volumes = list.Where(document => WorkloadKinds.Contains(document.Kind()))
            .SelectMany(document => (document.At("spec", "template", "spec") as Dictionary<object, object> ?? []).List("volumes"))
            .OfType<Dictionary<object, object>>();
        foreach (var volume in volumes)
        {
            if (volume.Map("secret")?.Text("secretName") is { } secret)
            {
                yield return $"Secret/{secret}";
            }

            if (volume.Map("configMap")?.Text("name") is { } configMap)
            {
                yield return $"ConfigMap/{configMap}";
            }
        }
    }

    /// <summary>Every environment variable name a container gets: its env list and the keys of what envFrom names.</summary>
    public static IEnumerable<(string Workload, string Name)> EnvironmentNames(IEnumerable<Dictionary<object, object>> documents)
    {
        var list = documents.ToList();
        foreach (var workload in list.Where(document => WorkloadKinds.Contains(document.Kind())))
        {
            var pod = workload.At("spec", "template", "spec") as Dictionary<object, object> ?? [];
            foreach (var container in pod.List("containers").Concat(pod.List("initContainers")).OfType<Dictionary<object, object>>())
            {
                foreach (var variable in container.List("env").OfType<Dictionary<object, object>>())
                {
                    yield return (workload.Name(), variable.Text("name") ?? "");
                }

                foreach (var source in container.List("envFrom").OfType<Dictionary<object, object>>())
                {
                    var (kind, name) = source.Map("configMapRef")?.Text("name") is { } configMap
                        ? ("ConfigMap", configMap)
                        : ("Secret", source.Map("secretRef")?.Text("name") ?? "");
                    var referenced = list.FirstOrDefault(document => document.Kind() == kind && document.Name() == name) ?? [];
                    foreach (var key in (referenced.Map("data") ?? []).Keys.Concat((referenced.Map("stringData") ?? []).Keys).OfType<string>())
                    {
                        yield return (workload.Name(), key);
                    }
                }
            }
        }
    }
}
