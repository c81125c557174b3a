using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Infrastructure;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OnePass.IdentityProvider.Features.Account;

public static class AccountServiceCollectionExtensions
{
    /// <summary>ASP.NET Core Identity on EF Core: password rules, lockout in the database, the SSO cookie.</summary>
    public static IHostApplicationBuilder AddOnePassIdentity(this IHostApplicationBuilder builder)
    {
        var onePass = builder.Configuration.GetSection(OnePassOptions.SectionName).Get<OnePassOptions>() ?? new OnePassOptions();
        var requireHttps = onePass.RequireHttps ?? !builder.Environment.IsDevelopment();

        builder.Services.AddIdentity<OnePassUser, IdentityRole<Guid>>(options =>
            {
                // NIST SP 800-63B: length, no composition rules (blocklist checks come with registration).
                options.Password.RequiredLength = PasswordRules.MinimumLength;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredUniqueChars = 1;

                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = onePass.Lockout.MaxFailedAttempts;
                options.Lockout.DefaultLockoutTimeSpan = onePass.Lockout.Duration;

                options.User.RequireUniqueEmail = false;
                options.SignIn.RequireConfirmedAccount = true; // self-registered accounts wait for their address (RegistrationConfirmation)
                options.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@+";

                options.ClaimsIdentity.UserNameClaimType = Claims.Name;
                options.ClaimsIdentity.UserIdClaimType = Claims.Subject;
                options.ClaimsIdentity.RoleClaimType = Claims.Role;
            })
            .AddEntityFrameworkStores<OnePassDbContext>()
            .AddDefaultTokenProviders();
        // The one NIST SP 800-63B policy replaces Identity's own validator (which counts UTF-16 code units).
        builder.Services.Replace(ServiceDescriptor.Scoped<IPasswordValidator<OnePassUser>, PasswordPolicy>());
        builder.Services.Replace(ServiceDescriptor.Scoped<IPasswordHasher<OnePassUser>, NormalizingPasswordHasher>());

        builder.Services.ConfigureApplicationCookie(cookie =>
        {
            // __Host- pins the cookie to this exact origin over HTTPS (CATALOGUE AT-26).
            cookie.Cookie.Name = requireHttps ? "__Host-onepass" : "onepass";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SecurePolicy = requireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.Path = "/";
            cookie.LoginPath = SignInPaths.LoginPath;
            cookie.AccessDeniedPath = "/error";
            // Lifetime and expiry are the server-side session's (AddOnePassSessions).
        });

        builder.Services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = requireHttps ? "__Host-onepass.antiforgery" : "onepass.antiforgery";
            antiforgery.Cookie.SecurePolicy = requireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.HttpOnly = true;
        });

        builder.Services.Configure<SecurityStampValidatorOptions>(options =>
        {
            // Keep the session facts (sid, auth_time, acr, amr) when Identity re-issues the cookie.
            options.OnRefreshingPrincipal = context =>
            {
                if (context.CurrentPrincipal is { } current && context.NewPrincipal?.Identity is System.Security.Claims.ClaimsIdentity identity &&
                    SessionInfo.From(current) is { } session)
                {
                    identity.AddClaims(session.ToClaims());
                }

                return Task.CompletedTask;
            };
        });

        builder.Services.AddScoped<IUserConfirmation<OnePassUser>, RegistrationConfirmation>();
        builder.Services.Configure<DataProtectionTokenProviderOptions>(tokens => tokens.TokenLifespan = TimeSpan.FromHours(1)); // reset and verification links
        builder.Services.AddScoped<AccountEmails>();
        builder.Services.AddSingleton<DummyPasswordHash>();
        builder.Services.AddSingleton<PasswordHashingGate>(); // bounded password hashing (issue 7)
        builder.Services.AddScoped<PasswordSignIn>();
        return builder;
    }
}

public static class PasswordRules
{
    /// <summary>NIST SP 800-63B: at least 15 characters when a password alone can sign in.</summary>
    public const int MinimumLength = 15;

    public const int MaximumLength = 1024;
}
