using System.Globalization;
using System.Text.Json;

namespace OnePass.AdminConsole.Features.Audit;

/// <summary>
/// A change's before and after as readable rows — field, value before, value after, and in words what happened
/// to it — rather than two JSON documents. Nested members are named with dots (<c>secret.rotatedAt</c>), items of
/// a list of objects with their position (<c>items[1].name</c>); a list of plain values is one field, its values
/// joined with commas.
/// </summary>
public static class ChangeDiff
{
    public static IReadOnlyList<ChangeDiffRow> Compute(JsonElement? before, JsonElement? after)
    {
        var left = Flatten(before);
        var right = Flatten(after);
        var rows = new List<ChangeDiffRow>();
        foreach (var field in left.Keys.Union(right.Keys, StringComparer.Ordinal))
        {
            var had = left.TryGetValue(field, out var old);
            var has = right.TryGetValue(field, out var current);
            var kind = !had ? ChangeKind.Added
                : !has ? ChangeKind.Removed
                : string.Equals(old, current, StringComparison.Ordinal) ? ChangeKind.Unchanged
                : ChangeKind.Changed;
            rows.Add(new ChangeDiffRow(field, had ? old : null, has ? current : null, kind));
        }

        // Changed fields first, each group in the record's own order.
        return [.. rows.OrderBy(row => row.Kind == ChangeKind.Unchanged ? 1 : 0)];
    }

    private static Dictionary<string, string?> Flatten(JsonElement? element)
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (element is { } value && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            Add(fields, string.Empty, value);
        }

        return fields;
    }

    private static void Add(Dictionary<string, string?> fields, string path, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var member in value.EnumerateObject())
                {
                    Add(fields, path.Length == 0 ? member.Name : path + "." + member.Name, member.Value);
                }

                break;
            case JsonValueKind.Array when value.EnumerateArray().All(item => item.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array)):
                fields[Name(path)] = string.Join(", ", value.EnumerateArray().Select(Text));
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Add(fields, string.Create(CultureInfo.InvariantCulture, $"{path}[{index++}]"), item);
                }

                break;
            default:
                fields[Name(path)] = Text(value);
                break;
        }
    }

    private static string Name(string path) => path.Length == 0 ? "(value)" : path;

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        _ => value.GetRawText(),
    };
}

public enum ChangeKind
{
    Changed,
    Added,
    Removed,
    Unchanged,
}

public sealed record ChangeDiffRow(string Field, string? Before, string? After, ChangeKind Kind)
{
    /// <summary>What happened to the field, in words (the table never relies on colour).</summary>
    public string Description => Kind switch
    {
        ChangeKind.Changed => "Changed",
        ChangeKind.Added => "Added",
        ChangeKind.Removed => "Removed",
        _ => "Unchanged",
    };
}
