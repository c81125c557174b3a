using System.Collections;
using System.Reflection;
using System.Text.RegularExpressions;
using OnePass.IdentityProvider.Infrastructure;

namespace OnePass.IdentityProvider.Tests.Deploy;

/// <summary>
/// The configuration keys OnePass reads, as environment variable names: connection strings, every name in
/// CONTRACT.md (shared/, beside the repository, when present) and every settable member of <see cref="OnePassOptions"/>. List indexes are
/// compared as "N", case is ignored (as ASP.NET Core configuration does).
/// </summary>
internal static partial class KnownSettings
{
    private const string Index = "N";

    private static readonly Lazy<HashSet<string>> Names = new(Load);

    public static string ContractPath => Path.GetFullPath(Path.Combine(DeployFiles.RepositoryRoot, "..", "shared", "CONTRACT.md"));

    /// <summary>False for a name that looks like a OnePass setting (OnePass…, ConnectionStrings…) but is not one.</summary>
    public static bool IsKnown(string name)
    {
        if (!name.StartsWith("OnePass", StringComparison.OrdinalIgnoreCase) && !name.StartsWith("ConnectionStrings", StringComparison.OrdinalIgnoreCase))
        {
            return true; // ASPNETCORE_URLS, POSTGRES_DB, SSL_CERT_FILE…: not ours to check
        }

        return Names.Value.Contains(Normalize(name));
    }

    private static string Normalize(string name) => string.Join("__", name.Split("__").Select(segment => segment.All(char.IsAsciiDigit) ? Index : segment));

    private static HashSet<string> Load()
    {
        // The contract's names (CONTRACT §1–§2), also those not (yet) in OnePassOptions: connection strings,
        // the admin console's settings, passkeys.
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "ConnectionStrings__Database", "ConnectionStrings__Redis", "OnePass__Authority", "OnePass__AdminConsole__Url",
            "OnePass__Passkeys__RpId", $"OnePass__Passkeys__Origins__{Index}",
            // The admin console's own settings (src/AdminConsole/Infrastructure/ConsoleOptions.cs) and the audit sweep.
            "OnePass__AdminConsole__ClientId", "OnePass__AdminConsole__ClientSecret", "OnePass__AdminConsole__RequireHttpsMetadata",
            "OnePass__Audit__SweepInterval",
            // E-mail (Features/Email/EmailSender.cs, section OnePass:Email).
            "OnePass__Email__From", "OnePass__Email__PickupDirectory", "OnePass__Email__Smtp__Host", "OnePass__Email__Smtp__Port",
            "OnePass__Email__Smtp__Security", "OnePass__Email__Smtp__Username", "OnePass__Email__Smtp__Password",
        };

        // CONTRACT.md lies beside the repository where the team works and in CI; a bare clone elsewhere
        // checks against the names above and OnePassOptions only.
        if (File.Exists(ContractPath))
        {
            foreach (Match match in ContractName().Matches(File.ReadAllText(ContractPath)))
            {
                names.Add(Normalize(match.Value));
            }
        }

        AddMembers(typeof(OnePassOptions), OnePassOptions.SectionName, names, depth: 0);
        return names;
    }

    private static void AddMembers(Type type, string prefix, HashSet<string> names, int depth)
    {
        if (depth > 6)
        {
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.GetIndexParameters().Length == 0))
        {
            var name = $"{prefix}__{property.Name}";
            var element = ElementType(property.PropertyType);
            if (IsScalar(property.PropertyType))
            {
                if (property.SetMethod?.IsPublic == true)
                {
                    names.Add(name);
                }
            }
            else if (element is not null)
            {
                if (IsScalar(element))
                {
                    names.Add($"{name}__{Index}");
                }
                else
                {
                    AddMembers(element, $"{name}__{Index}", names, depth + 1);
                }
            }
            else if (property.PropertyType.IsClass)
            {
                AddMembers(property.PropertyType, name, names, depth + 1);
            }
        }
    }

    private static bool IsScalar(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(decimal) ||
            underlying == typeof(TimeSpan) || underlying == typeof(Uri) || underlying == typeof(DateTimeOffset) ||
            underlying == typeof(DateTime) || underlying == typeof(Guid);
    }

    private static Type? ElementType(Type type) =>
        type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type)
            ? null
            : type.IsArray
                ? type.GetElementType()
                : type.GetInterfaces().Append(type)
                    .FirstOrDefault(candidate => candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                    ?.GetGenericArguments()[0];

    [GeneratedRegex(@"\b(?:OnePass|ConnectionStrings)(?:__[A-Za-z0-9]+)+")]
    private static partial Regex ContractName();
}
