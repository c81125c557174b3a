using Xunit.Abstractions;
using Xunit.Sdk;

namespace OnePass.Cluster.Tests.Kit;

/// <summary>Marks a test that stops or kills nodes of a shared cluster; <see cref="StopsNodesLast"/> runs it after the others.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StopsNodesAttribute : Attribute;

/// <summary>
/// Runs the tests of a class that need every node first and those marked <see cref="StopsNodesAttribute"/>
/// last, so a killed node is not started again only for the next test (each start costs seconds). The
/// tests do not depend on the order: a fixture starts again whatever is missing.
/// </summary>
public sealed class StopsNodesLast : ITestCaseOrderer
{
    public const string TypeName = "OnePass.Cluster.Tests.Kit.StopsNodesLast";
    public const string AssemblyName = "OnePass.Cluster.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases
            .OrderBy(testCase => testCase.TestMethod.Method.GetCustomAttributes(typeof(StopsNodesAttribute).AssemblyQualifiedName).Any())
            .ThenBy(testCase => testCase.TestMethod.Method.Name, StringComparer.Ordinal);
}
