using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace OnePass.EndToEnd.Tests;

/// <summary>Screenshots of browser tests: of every page when a step fails, and of documented screens.</summary>
public static class Screenshots
{
    /// <summary>Runs a browser step; when it fails, saves a screenshot of every page of the context, then rethrows.</summary>
    public static async Task<T> OnFailureAsync<T>(IBrowserContext context, string name, Func<Task<T>> step)
    {
        try
        {
            return await step();
        }
        catch
        {
            var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
            Directory.CreateDirectory(folder);
            var index = 0;
            foreach (var page in context.Pages)
            {
                await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"{name}-{index++}.png"), FullPage = true });
            }

            throw;
        }
    }

    /// <summary>
    /// A screenshot of a screen, pass or fail: beside the test assembly, or into the repository's
    /// docs/screenshots when ONEPASS_DOC_SCREENSHOTS=1 (to refresh the documentation; a normal run
    /// leaves the checkout untouched).
    /// </summary>
    public static async Task SaveForDocsAsync(IPage page, string fileName)
    {
        var folder = Environment.GetEnvironmentVariable("ONEPASS_DOC_SCREENSHOTS") == "1"
            ? Path.GetFullPath(Path.Combine(SourceFolder(), "..", "..", "docs", "screenshots"))
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, fileName), FullPage = true });
    }

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
