using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Server.AspNetCore;

namespace OnePass.IdentityProvider.Features.Authorization;

/// <summary>What the passthrough endpoints (authorize, end-session, token, userinfo) share.</summary>
internal static class PassthroughHelpers
{
    public const string AntiforgeryFieldName = "__RequestVerificationToken";

    /// <summary>Properties that make OpenIddict answer a forbid or challenge with this protocol error.</summary>
    public static AuthenticationProperties ErrorProperties(string error, string description) => new(new Dictionary<string, string?>
    {
        [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
        [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
    });

    /// <summary>
    /// The request's own parameters (form for a POST, else query) minus our form fields, to send back
    /// through a confirmation form or a return URL. With request caching these are only
    /// <c>client_id</c> and <c>request_uri</c>: the parameters themselves stay on the server.
    /// </summary>
    public static Dictionary<string, string> EchoParameters(HttpRequest request, params string[] ownFields)
    {
        var source = HttpMethods.IsPost(request.Method) && request.HasFormContentType
            ? request.Form.Select(pair => (pair.Key, Value: pair.Value.ToString()))
            : request.Query.Select(pair => (pair.Key, Value: pair.Value.ToString()));
        return source
            .Where(pair => pair.Key != AntiforgeryFieldName && !ownFields.Contains(pair.Key))
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
    }

    /// <summary>A plain-text 400 (Razor Pages has no output formatters: an ObjectResult would answer 406).</summary>
    public static ContentResult BadRequestPage(string message) =>
        new() { StatusCode = StatusCodes.Status400BadRequest, Content = message, ContentType = "text/plain; charset=utf-8" };
}
