using System.Diagnostics;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OnePass.IdentityProvider.Infrastructure;

namespace OnePass.IdentityProvider.Features.Site;

/// <summary>
/// The one error page: OpenIddict errors that must not be redirected (bad client or redirect URI),
/// status-code pages and unhandled exceptions. It shows a stable error code and a plain sentence,
/// never a stack trace, and never turns a <c>redirect_uri</c> into a link (CATALOGUE AT-24).
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string Code { get; private set; } = "server_error";

    public string? Description { get; private set; }

    public string? TraceId { get; private set; }

    public void OnGet() => Fill();

    public void OnPost() => Fill();

    private void Fill()
    {
        TraceId = Activity.Current?.Id ?? HttpContext.TraceIdentifier;

        // An OpenID Connect error, handed over by OpenIddict's status-code-pages integration.
        if (HttpContext.GetOpenIddictServerResponse() is { Error: not null } response)
        {
            Code = response.Error;
            Description = response.ErrorDescription;
            return;
        }

        var exception = HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error;
        var status = exception switch
        {
            BadHttpRequestException bad => bad.StatusCode,
            InvalidDataException => StatusCodes.Status400BadRequest, // form limits exceeded
            _ when TransientFailures.IsTransient(exception) => StatusCodes.Status503ServiceUnavailable,
            _ => HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalStatusCode ?? Response.StatusCode,
        };

        if (exception is not null)
        {
            Response.StatusCode = status;
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            Response.Headers.RetryAfter = TransientFailures.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // A plain sentence in the citizen's language (Texts error.status.*); the code stays the same in every language.
        (Code, var sentence) = status switch
        {
            400 => ("invalid_request", "error.status.400"),
            404 => ("not_found", "error.status.404"),
            405 => ("method_not_allowed", "error.status.405"),
            413 => ("request_too_large", "error.status.413"),
            414 => ("uri_too_long", "error.status.414"),
            429 => ("too_many_requests", "error.status.429"),
            503 => ("temporarily_unavailable", "error.status.503"),
            >= 400 and < 500 => ("invalid_request", "error.status.4xx"),
            _ => ("server_error", "error.status.500"),
        };
        Description = Texts.Get(sentence);
    }
}
