using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace OnePass.AdminConsole.Infrastructure.Web;

/// <summary>
/// Accessible field errors (WCAG 3.3.1, 1.3.1): <c>&lt;field-error for="Input.DisplayName" /&gt;</c> renders the
/// field's messages in an element whose id is <c>{field id}-error</c>, and every <c>input</c>, <c>select</c> or
/// <c>textarea</c> with <c>asp-for</c> gets <c>aria-invalid</c> and <c>aria-describedby</c> pointing at it.
/// For a group of checkboxes, put <c>aria-describedby="@Html.ErrorIdIfInvalid("Input.Scopes")"</c> on the fieldset.
/// </summary>
[HtmlTargetElement("field-error", Attributes = "for", TagStructure = TagStructure.WithoutEndTag)]
public sealed class FieldErrorTagHelper : TagHelper
{
    [HtmlAttributeName("for")]
    public string For { get; set; } = string.Empty;

    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        var messages = FieldErrors.Messages(ViewContext.ViewData.ModelState, For);
        if (messages.Count == 0)
        {
            output.SuppressOutput();
            return;
        }

        output.TagName = "p";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.SetAttribute("id", FieldErrors.ErrorId(For));
        output.Attributes.SetAttribute("class", "field-error");
        foreach (var message in messages)
        {
            var line = new TagBuilder("span");
            line.AddCssClass("field-error-line");
            line.InnerHtml.Append("Error: " + message); // "Error:" so the message does not rely on colour (WCAG 1.4.1)
            output.Content.AppendHtml(line);
        }
    }
}

/// <summary>Links an input to its error message (see <see cref="FieldErrorTagHelper"/>).</summary>
[HtmlTargetElement("input", Attributes = "asp-for")]
[HtmlTargetElement("select", Attributes = "asp-for")]
[HtmlTargetElement("textarea", Attributes = "asp-for")]
public sealed class InvalidFieldTagHelper : TagHelper
{
    // After the framework's tag helpers, which write name and id.
    public override int Order => 100;

    [HtmlAttributeName("asp-for")]
    public ModelExpression For { get; set; } = null!;

    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        var name = ViewContext.ViewData.TemplateInfo.GetFullHtmlFieldName(For.Name);
        if (FieldErrors.Messages(ViewContext.ViewData.ModelState, name).Count == 0)
        {
            return;
        }

        output.Attributes.SetAttribute("aria-invalid", "true");
        var describedBy = output.Attributes.TryGetAttribute("aria-describedby", out var existing) ? existing.Value?.ToString() + " " : string.Empty;
        output.Attributes.SetAttribute("aria-describedby", describedBy + FieldErrors.ErrorId(name));
    }
}

public static class FieldErrors
{
    /// <summary>The id of a field's error element: the field's HTML id plus <c>-error</c>.</summary>
    public static string ErrorId(string fieldName) => TagBuilder.CreateSanitizedId(fieldName, "_") + "-error";

    /// <summary>The id the framework gives the input for <paramref name="fieldName"/> (what the error summary links to).</summary>
    public static string FieldId(string fieldName) => TagBuilder.CreateSanitizedId(fieldName, "_");

    public static IReadOnlyList<string> Messages(ModelStateDictionary modelState, string fieldName) =>
        modelState.TryGetValue(fieldName, out var entry) && entry.Errors.Count > 0
            ? [.. entry.Errors.Select(error => string.IsNullOrEmpty(error.ErrorMessage) ? "This value is not valid." : error.ErrorMessage)]
            : [];

    /// <summary>For templates: <c>@Html.ErrorId("Input.Scopes")</c>, or null when the field has no error.</summary>
    public static string? ErrorIdIfInvalid(this IHtmlHelper html, string fieldName) =>
        Messages(html.ViewData.ModelState, fieldName).Count > 0 ? ErrorId(fieldName) : null;
}
