using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace OnePass.AdminConsole.Infrastructure.AdminApi;

/// <summary>
/// Puts the admin API's field errors (400 <c>errors</c>) beside the form fields that caused them. The API names a
/// field as in the request body (<c>displayName</c>, <c>redirectUris[1]</c>); the form binds the same member
/// under an input model (<c>Input.DisplayName</c>, <c>Input.RedirectUris</c> as a one-per-line textarea), so
/// <c>redirectUris[1]</c> lands on <c>Input.RedirectUris</c> as "Line 2: …".
/// </summary>
public static partial class ApiErrorsModelState
{
    /// <summary>What a form says on 409 (a stale <c>version</c>); the page keeps the user's input.</summary>
    public const string StaleVersionMessage =
        "This record was changed by someone else since you opened it. Reload to see the current version.";

    /// <summary>Shows a 409 on a form: the stale-version sentence, the user's input stays in the fields.</summary>
    public static void AddConflict(this ModelStateDictionary modelState) => modelState.AddModelError(string.Empty, StaleVersionMessage);

    /// <summary>
    /// Adds each field error under <paramref name="prefix"/>.PascalName; errors without a field, or on
    /// <c>version</c>, go to the whole form. <paramref name="describeItem"/> names item <c>index</c> of list field
    /// <c>field</c> (e.g. "Line 2"); by default "Item N".
    /// </summary>
    public static void AddApiErrors(this ModelStateDictionary modelState, AdminApiValidationException exception,
        string prefix = "Input", Func<string, int, string?>? describeItem = null)
    {
        if (exception.Errors.Count == 0)
        {
            modelState.AddModelError(string.Empty, exception.Description);
            return;
        }

        foreach (var (field, messages) in exception.Errors)
        {
            var match = FieldPattern().Match(field);
            if (!match.Success || string.Equals(field, "version", StringComparison.Ordinal))
            {
                foreach (var message in messages)
                {
                    modelState.AddModelError(string.Empty, message);
                }

                continue;
            }

            var name = match.Groups["name"].Value;
            var key = string.Join('.', new[] { prefix }.Concat(name.Split('.').Select(Pascal)).Where(part => part.Length > 0));
            string? label = null;
            if (match.Groups["index"].Success && int.TryParse(match.Groups["index"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                label = describeItem?.Invoke(name, index) ?? $"Item {index + 1}";
            }

            foreach (var message in messages)
            {
                modelState.AddModelError(key, label is null ? message : $"{label}: {message}");
            }
        }
    }

    /// <summary>"Line N" for the items of a one-per-line textarea.</summary>
    public static string Line(int index) => string.Create(CultureInfo.InvariantCulture, $"Line {index + 1}");

    private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name[1..];

    [GeneratedRegex(@"^(?<name>[A-Za-z_][A-Za-z0-9_.]*)(\[(?<index>[0-9]{1,6})\])?$")]
    private static partial Regex FieldPattern();
}
