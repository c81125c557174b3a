using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.AdminConsole.Infrastructure.Web;

namespace OnePass.AdminConsole.Features.Site;

/// <summary>
/// Every failure ends here (exception handler and status-code pages), with a plain sentence and never a stack
/// trace. The status code is the one the failure chose: 503 when OnePass's admin API cannot be reached.
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken] // re-executed for failed POSTs too
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "Something went wrong";

    public string Message { get; private set; } = "The console could not complete the request. Try again; if it keeps failing, tell the operators.";

    public void OnGet(int? code) => Describe(code);

    public void OnPost(int? code) => Describe(code);

    private void Describe(int? code)
    {
        var exception = HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error;
        var status = WebServiceCollectionExtensions.IsOnePassUnreachable(exception) ? StatusCodes.Status503ServiceUnavailable
            : exception is not null ? StatusCodes.Status500InternalServerError
            : code is >= 400 and < 600 ? code.Value
            : Response.StatusCode is >= 400 ? Response.StatusCode
            : StatusCodes.Status500InternalServerError;
        Response.StatusCode = status;
        (Title, Message) = status switch
        {
            StatusCodes.Status503ServiceUnavailable => ("OnePass is not answering",
                "The console cannot reach OnePass just now, so nothing was changed. Try again in a minute; if it keeps failing, tell the operators."),
            StatusCodes.Status404NotFound => ("Page not found", "There is no such page or record. It may have been deleted."),
            StatusCodes.Status400BadRequest => ("The request was not valid", "The form may have expired. Go back, reload the page and try again."),
            StatusCodes.Status403Forbidden => ("Access denied", "You cannot use this page."),
            _ => (Title, Message),
        };
    }
}
