using System.Globalization;
using System.Runtime.CompilerServices;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace OnePass.IdentityProvider.Tests.Deploy;

/// <summary>
/// The files under <c>deploy/</c>, read as plain YAML trees: mappings become
/// <see cref="Dictionary{TKey,TValue}"/> of object to object, sequences <see cref="List{T}"/>, scalars strings.
/// Merge keys (<c>&lt;&lt;: *anchor</c>) are resolved, as Docker Compose does.
/// </summary>
internal static class DeployFiles
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Deploy => Path.Combine(RepositoryRoot, "deploy");

    public static string ComposeFile => Path.Combine(Deploy, "compose.yaml");

    public static IEnumerable<string> KubernetesFiles =>
        Directory.EnumerateFiles(Path.Combine(Deploy, "k8s"), "*.yaml").Order(StringComparer.Ordinal);

    /// <summary>Every YAML file we ship under deploy/.</summary>
    public static IEnumerable<string> AllYamlFiles =>
        Directory.EnumerateFiles(Deploy, "*.*", SearchOption.AllDirectories)
            .Where(path => path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    /// <summary>The documents of one YAML file, in order; empty documents are left out.</summary>
    public static IReadOnlyList<Dictionary<object, object>> ReadDocuments(string path)
    {
        using var reader = new StringReader(File.ReadAllText(path));
        var parser = new MergingParser(new Parser(reader));
        var deserializer = new DeserializerBuilder().Build();
        var documents = new List<Dictionary<object, object>>();
        parser.Consume<StreamStart>();
        while (!parser.Accept<StreamEnd>(out _))
        {
            var document = deserializer.Deserialize<object?>(parser);
            if (document is not null)
            {
                documents.Add(document as Dictionary<object, object>
                    ?? throw new InvalidDataException($"{path}: a document is not a mapping."));
            }
        }

        return documents;
    }

    /// <summary>Every Kubernetes object in deploy/k8s, with the file it came from.</summary>
    public static IReadOnlyList<(string File, Dictionary<object, object> Document)> KubernetesObjects() =>
        [.. KubernetesFiles.SelectMany(file => ReadDocuments(file).Select(document => (Path.GetFileName(file), document)))];

    public static Dictionary<object, object>? Map(this Dictionary<object, object> node, string key) =>
        node.TryGetValue(key, out var value) ? value as Dictionary<object, object> : null;

    public static List<object> List(this Dictionary<object, object> node, string key) =>
        node.TryGetValue(key, out var value) && value is List<object> list ? list : [];

    public static string? Text(this Dictionary<object, object> node, string key) =>
        node.TryGetValue(key, out var value) ? value as string : null;

    public static int? Number(this Dictionary<object, object> node, string key) =>
        int.TryParse(node.Text(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>The value at a path of mapping keys, or null.</summary>
    public static object? At(this Dictionary<object, object> node, params string[] path)
    {
        object? current = node;
        foreach (var key in path)
        {
            current = current is Dictionary<object, object> map && map.TryGetValue(key, out var next) ? next : null;
        }

        return current;
    }

    public static string Kind(this Dictionary<object, object> document) => document.Text("kind") ?? "";

    public static string Name(this Dictionary<object, object> document) => document.Map("metadata")?.Text("name") ?? "";

    /// <summary>
    /// A Compose service's environment as name → value, from either form Compose accepts (a mapping, or a
    /// list of NAME=value).
    /// </summary>
    public static Dictionary<string, string> ComposeEnvironment(this Dictionary<object, object> service)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (service.TryGetValue("environment", out var value) ? value : null)
        {
            case Dictionary<object, object> map:
                foreach (var (name, setting) in map)
                {
                    environment[(string)name] = setting as string ?? "";
                }

                break;
            case List<object> list:
                foreach (var item in list.OfType<string>())
                {
                    var separator = item.IndexOf('=', StringComparison.Ordinal);
                    environment[separator < 0 ? item : item[..separator]] = separator < 0 ? "" : item[(separator + 1)..];
                }

                break;
        }

        return environment;
    }

    /// <summary>The folder holding OnePass.sln: above the test binaries, the working directory or this source file.</summary>
    private static string FindRepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        string?[] starts = [AppContext.BaseDirectory, Directory.GetCurrentDirectory(), Path.GetDirectoryName(sourceFile)];
        foreach (var start in starts.OfType<string>().Where(path => path.Length > 0))
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "OnePass.sln")) && Directory.Exists(Path.Combine(directory.FullName, "deploy")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException($"OnePass.sln with deploy/ not found above {AppContext.BaseDirectory}.");
    }
}
