using Microsoft.AspNetCore.Mvc;

namespace OnePass.AdminConsole.Features.Agencies;

public static class AgencyScreens
{
    /// <summary>The largest logo the API accepts (docs/admin-api.md); the upload form refuses bigger files before sending them.</summary>
    public const int MaxLogoBytes = 256 * 1024;

    /// <summary>The image types the API accepts for a logo.</summary>
    public static readonly IReadOnlyList<string> LogoContentTypes = ["image/png", "image/jpeg", "image/webp"];

    /// <summary>
    /// The agency screens. Only the logo upload takes a file: its page alone accepts a request body a little
    /// larger than the biggest logo (the multipart framing), every other form keeps the small default.
    /// </summary>
    public static WebApplicationBuilder AddAgencyScreens(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorPages(options => options.Conventions.AddPageApplicationModelConvention("/Agencies/Logo", model =>
        {
            model.Filters.Add(new RequestSizeLimitAttribute(MaxLogoBytes + (64 * 1024)));
            model.Filters.Add(new RequestFormLimitsAttribute { MultipartBodyLengthLimit = MaxLogoBytes + (64 * 1024) });
        }));
        return builder;
    }
}
