using Microsoft.AspNetCore.Mvc;

namespace OnePass.IdentityProvider.Features.Site;

/// <summary>A 303 See Other to a local URL: after a POST the browser must follow with a GET.</summary>
public sealed class SeeOtherResult(string location) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context)
    {
        context.HttpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.HttpContext.Response.Headers.Location = location;
        return Task.CompletedTask;
    }
}
