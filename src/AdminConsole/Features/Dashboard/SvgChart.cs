using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace OnePass.AdminConsole.Features.Dashboard;

/// <summary>
/// The dashboard's charts as inline SVG written on the server: no chart library, no script, no inline style
/// (the CSP has no 'unsafe-inline'; presentation attributes are not style). Each chart is an image
/// (<c>role="img"</c>) named by its <c>&lt;title&gt;</c> and described by its <c>&lt;desc&gt;</c>; every bar carries
/// its own <c>&lt;title&gt;</c> with its number, and the page puts the same numbers in a data table. Success
/// and failure differ by more than colour: successes are solid, failures are hatched with an outline, and the
/// legend names both (WCAG 1.4.1). Colours have at least 3:1 contrast against
/// the white chart (WCAG 1.4.11). Every text from the API is encoded.
/// </summary>
public static class SvgChart
{
    public const string SuccessColour = "#0b5cad"; // 6.6:1 on white
    public const string FailureColour = "#b00020"; // 6.9:1 on white
    public const string NeutralColour = "#4b5563"; // 7.6:1 on white

    private const int Width = 640;
    private const int Left = 48;
    private const int Right = 12;
    private const int Top = 36;

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    /// <summary>A series of two bars (successes, failures) per hour or per day.</summary>
    /// <param name="id">Unique on the page: prefixes the chart's element ids.</param>
    public static IHtmlContent Buckets(string id, string title, string description, IReadOnlyList<ChartBucket> buckets)
    {
        const int height = 260;
        const int bottom = 40;
        var plotHeight = height - Top - bottom;
        var plotWidth = Width - Left - Right;
        var max = buckets.Count == 0 ? 0 : buckets.Max(b => Math.Max(b.Successes, b.Failures));
        var (step, top) = Scale(max);

        var svg = Open(id, title, description, Width, height);
        Hatch(svg, id, FailureColour);
        Legend(svg, id, [("Successful", false), ("Failed (hatched)", true)]);

        // Horizontal grid lines with their values.
        for (var value = 0; value <= top; value += step)
        {
            var y = Top + plotHeight - (plotHeight * value / (double)top);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{N(y)}\" y2=\"{N(y)}\" stroke=\"#c9ced6\" stroke-width=\"1\" />");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{N(y + 4)}\" text-anchor=\"end\" class=\"chart-axis\">{value}</text>");
        }

        var slot = buckets.Count == 0 ? plotWidth : plotWidth / (double)buckets.Count;
        var bar = Math.Max(2, slot * 0.36);
        var labelEvery = buckets.Count > 12 ? 3 : 1;
        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            var x = Left + (slot * i) + (slot - (2 * bar)) / 2;
            Bar(svg, x, bar, bucket.Successes, top, plotHeight, SuccessColour, null, $"{bucket.Label}: {bucket.Successes} successful");
            Bar(svg, x + bar, bar, bucket.Failures, top, plotHeight, $"url(#{id}-hatch)", FailureColour, $"{bucket.Label}: {bucket.Failures} failed");
            if (i % labelEvery == 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(Left + (slot * i) + (slot / 2))}\" y=\"{height - bottom + 18}\" text-anchor=\"middle\" class=\"chart-axis\">{Encode(bucket.ShortLabel)}</text>");
            }
        }

        // The axis last, over the bars' feet.
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Top + plotHeight}\" y2=\"{Top + plotHeight}\" stroke=\"{NeutralColour}\" stroke-width=\"1.5\" />");
        return Close(svg);
    }

    /// <summary>One horizontal bar per agency with its name and number written beside it.</summary>
    public static IHtmlContent Agencies(string id, string title, string description, IReadOnlyList<ChartAgency> agencies)
    {
        const int row = 30;
        const int labelWidth = 200;
        var height = Top + (row * Math.Max(1, agencies.Count)) + 8;
        var barSpace = Width - labelWidth - Right - 48;
        var max = Math.Max(1, agencies.Count == 0 ? 0 : agencies.Max(a => a.SignIns));

        var svg = Open(id, title, description, Width, height);
        Legend(svg, id, [("Successful sign-ins", false)]);
        for (var i = 0; i < agencies.Count; i++)
        {
            var agency = agencies[i];
            var y = Top + (row * i);
            var length = barSpace * agency.SignIns / (double)max;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 8}\" y=\"{y + 19}\" text-anchor=\"end\" class=\"chart-label\">{Encode(Shorten(agency.Name, 26))}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelWidth}\" y=\"{y + 5}\" width=\"{N(Math.Max(length, 1))}\" height=\"{row - 10}\" fill=\"{SuccessColour}\"><title>{Encode(agency.Name)}: {agency.SignIns} successful sign-ins</title></rect>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(labelWidth + Math.Max(length, 1) + 6)}\" y=\"{y + 19}\" class=\"chart-value\">{agency.SignIns}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{labelWidth}\" x2=\"{labelWidth}\" y1=\"{Top}\" y2=\"{height - 8}\" stroke=\"{NeutralColour}\" stroke-width=\"1.5\" />");
        return Close(svg);
    }

    /// <summary>One 100 % bar per range: sign-ins with a second factor (solid) and with a password only (hatched), each with its share written in.</summary>
    public static IHtmlContent Shares(string id, string title, string description, IReadOnlyList<ChartShare> shares)
    {
        const int row = 40;
        const int labelWidth = 130;
        var height = Top + (row * Math.Max(1, shares.Count)) + 8;
        var barSpace = Width - labelWidth - Right;

        var svg = Open(id, title, description, Width, height);
        Hatch(svg, id, NeutralColour);
        Legend(svg, id, [("With a second factor", false), ("Password only (hatched)", true)], hatchColour: NeutralColour);
        for (var i = 0; i < shares.Count; i++)
        {
            var share = shares[i];
            var y = Top + (row * i);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 8}\" y=\"{y + 24}\" text-anchor=\"end\" class=\"chart-label\">{Encode(share.Label)}</text>");
            if (share.SignIns == 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth}\" y=\"{y + 24}\" class=\"chart-value\">No sign-ins</text>");
                continue;
            }

            var with = barSpace * share.WithSecondFactor / (double)share.SignIns;
            var percent = Percent(share.WithSecondFactor, share.SignIns);
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelWidth}\" y=\"{y + 6}\" width=\"{N(with)}\" height=\"{row - 12}\" fill=\"{SuccessColour}\"><title>{Encode(share.Label)}: {share.WithSecondFactor} of {share.SignIns} with a second factor ({percent})</title></rect>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(labelWidth + with)}\" y=\"{y + 6}\" width=\"{N(barSpace - with)}\" height=\"{row - 12}\" fill=\"url(#{id}-hatch)\" stroke=\"{NeutralColour}\" stroke-width=\"1\"><title>{Encode(share.Label)}: {share.SignIns - share.WithSecondFactor} of {share.SignIns} with a password only</title></rect>");

            // The share written on the bar: white on the solid part, or dark beside it when that part is too short.
            var onBar = with >= 70;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(onBar ? labelWidth + 8 : labelWidth + with + 8)}\" y=\"{y + 25}\" class=\"{(onBar ? "chart-value-inverse" : "chart-value chart-value-boxed")}\">{percent}</text>");
        }

        return Close(svg);
    }

    /// <summary>"62.5 %" (one decimal, invariant).</summary>
    public static string Percent(int part, int whole) =>
        whole == 0 ? "none" : (100.0 * part / whole).ToString("0.#", CultureInfo.InvariantCulture) + " %";

    private static StringBuilder Open(string id, string title, string description, int width, int height)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"{id}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\" focusable=\"false\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-title\">{Encode(title)}</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<desc id=\"{id}-desc\">{Encode(description)}</desc>");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\" />");
        return svg;
    }

    private static HtmlString Close(StringBuilder svg) => new(svg.Append("</svg>").ToString());

    /// <summary>Diagonal stripes of <paramref name="colour"/> on white: what marks the second series besides colour.</summary>
    private static void Hatch(StringBuilder svg, string id, string colour) => svg.Append(CultureInfo.InvariantCulture,
        $"<defs><pattern id=\"{id}-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">" +
        $"<rect width=\"6\" height=\"6\" fill=\"#ffffff\" /><rect width=\"3\" height=\"6\" fill=\"{colour}\" /></pattern></defs>");

    private static void Legend(StringBuilder svg, string id, IReadOnlyList<(string Label, bool Hatched)> entries, string hatchColour = FailureColour)
    {
        var x = (double)Left;
        foreach (var (label, hatched) in entries)
        {
            var fill = hatched ? $"url(#{id}-hatch)" : SuccessColour;
            var stroke = hatched ? hatchColour : SuccessColour;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(x)}\" y=\"8\" width=\"16\" height=\"16\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.5\" />");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(x + 22)}\" y=\"21\" class=\"chart-label\">{Encode(label)}</text>");
            x += 40 + (label.Length * 7.5);
        }
    }

    private static void Bar(StringBuilder svg, double x, double width, int value, int top, int plotHeight, string fill, string? stroke, string title)
    {
        var height = plotHeight * value / (double)top;
        var y = Top + plotHeight - height;
        var outline = stroke is null ? string.Empty : $" stroke=\"{stroke}\" stroke-width=\"1\"";
        svg.Append(CultureInfo.InvariantCulture,
            $"<rect x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(width)}\" height=\"{N(height)}\" fill=\"{fill}\"{outline}><title>{Encode(title)}</title></rect>");
    }

    /// <summary>A grid step of 1, 2 or 5 × 10ⁿ giving about four lines, and the top of the scale (at least 1).</summary>
    private static (int Step, int Top) Scale(int max)
    {
        var rough = Math.Max(1, max / 4.0);
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / power;
        var step = (int)Math.Max(1, (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power);
        return (step, Math.Max(step, (int)Math.Ceiling(max / (double)step) * step));
    }

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    private static string Encode(string text) => Encoder.Encode(text);

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}

/// <summary>One hour or day: <see cref="Label"/> in full ("2026-11-27 05:00 UTC"), <see cref="ShortLabel"/> under the axis ("05").</summary>
public sealed record ChartBucket(string Label, string ShortLabel, int Successes, int Failures);

public sealed record ChartAgency(string Name, int SignIns);

public sealed record ChartShare(string Label, int SignIns, int WithSecondFactor);
