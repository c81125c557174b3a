using Xunit.Abstractions;

namespace OnePass.Cluster.Tests.Kit;

/// <summary>
/// Writes what the cluster's nodes printed during one test to that test's output (shown when it fails).
/// Create it in the test class's constructor and dispose it in the class's Dispose.
/// </summary>
public sealed class NodeLogs(ITestOutputHelper output, OnePassCluster cluster) : IDisposable
{
    private readonly Dictionary<IdentityNode, int> _marks = cluster.Nodes.ToDictionary(node => node, node => node.MarkLog());

    public void Dispose()
    {
        foreach (var node in cluster.Nodes)
        {
            try
            {
                output.WriteLine(node.LogSince(_marks.GetValueOrDefault(node)));
            }
            catch (InvalidOperationException)
            {
                // No test is running any more (the output helper refuses late writes).
            }
        }
    }
}
