using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace OnePass.AdminConsole.Infrastructure.Web;

/// <summary>
/// A one-line confirmation shown once at the top of the next page ("Agency saved."), after a POST that redirects.
/// The layout renders it in a role="status" region. Never put secrets here: TempData lives in a cookie.
/// </summary>
public static class StatusMessages
{
    private const string Key = "onepass.status";

    public static void SetStatus(this ITempDataDictionary tempData, string message) => tempData[Key] = message;

    public static string? TakeStatus(this ITempDataDictionary tempData) => tempData[Key] as string;
}
