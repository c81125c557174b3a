using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using OnePass.AdminConsole.Infrastructure.Authentication;

namespace OnePass.AdminConsole.Infrastructure.AdminApi;

/// <summary>
/// What every page does with the admin API answers it does not handle itself: no usable token (401, refused
/// refresh) → sign in again; 403 → the access-denied page; 404 → the not-found page. Unavailability propagates
/// to the exception handler, which answers the 503 error page (<see cref="Web.WebServiceCollectionExtensions"/>).
/// </summary>
public sealed class AdminApiExceptionFilter : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var executed = await next();
        if (executed.ExceptionHandled)
        {
            return;
        }

        var request = context.HttpContext.Request;
        IActionResult? result = executed.Exception switch
        {
            // Back to this page after the sign-in; a POST comes back as a GET of the same page.
            AdminApiSignInRequiredException => new ChallengeResult(new AuthenticationProperties
            {
                RedirectUri = UriHelper.BuildRelative(request.PathBase, request.Path, HttpMethods.IsGet(request.Method) ? request.QueryString : QueryString.Empty),
            }),
            AdminApiForbiddenException => new RedirectResult($"{ConsoleAuthentication.AccessDeniedPath}?reason=api-forbidden"),
            AdminApiNotFoundException => new NotFoundResult(),
            _ => null,
        };
        if (result is not null)
        {
            executed.Result = result;
            executed.ExceptionHandled = true;
        }
    }
}
