using Microsoft.EntityFrameworkCore;
using OnePass.IdentityProvider.Data;
using OnePass.IdentityProvider.Features.Authorization;
using OnePass.IdentityProvider.Features.Mfa;
using OpenIddict.Abstractions;

namespace OnePass.IdentityProvider.Features.AdminApi.Audit;

/// <summary>
/// The dashboard's numbers (issue 5, "Statistics: sign-ins per hour and per agency, failures, MFA share"),
/// computed from the sign-in events. What counts is stated in <see cref="Definition"/>, which is also the
/// endpoint's OpenAPI description.
/// </summary>
public static class SignInStatistics
{
    public const int TopAgencies = 20;

    /// <summary>A second factor within this time after the same user's password belongs to that sign-in (the pending sign-in's lifetime).</summary>
    public static readonly TimeSpan SecondFactorWindow = TimeSpan.FromMinutes(5);

    public const string Definition =
        "range=24h: 24 hourly buckets, range=24h is the default; range=7d: 7 daily buckets; buckets are UTC and the last one is the current hour or day. " +
        "What counts, from the sign-in events: " +
        "a successful sign-in is (1) an accepted password (pwd success) together with the second factor that followed it within 5 minutes for the same user, if any — one sign-in, not two; " +
        "(2) an accepted passkey, authenticator code or recovery code that did not follow a password (a passkey sign-in on its own, or a step-up of an existing session); " +
        "(3) an 'sso' event: an authorization code issued to an agency from an existing session without a new factor. " +
        "A password accepted but whose second step was abandoned still counts under (1). " +
        "A failed sign-in is every refused attempt of a factor (pwd, otp, recovery, passkey with outcome failure, locked, replay, insufficient, unknown-credential or counter-regression); " +
        "enrolments, registrations and removals are not sign-ins. Each is placed in the bucket of its first event. " +
        "agencies: the successful sign-ins above per agency, by the client id their first event names (the authorization request the sign-in resumed), top 20. " +
        "mfa: of the sign-ins under (1) and (2), how many used a second factor (under (1) with one; every one under (2), a passkey being multi-factor by itself); share is withSecondFactor / signIns, null when there were none. " +
        "'sso' sign-ins are left out of the share: no factor was given.";

    public static readonly string[] SignInMethods = [AuthenticationMethods.Password, AuthenticationMethods.OneTimePassword, "recovery", "passkey", AuthAudit.SessionReused];

    public static readonly string[] FailureOutcomes = [AuthAudit.Failure, "locked", "replay", "insufficient", "unknown-credential", "counter-regression"];

    private static readonly Dictionary<string, StatsRange> Ranges = new(StringComparer.Ordinal)
    {
        ["24h"] = StatsRange.Day,
        ["7d"] = StatsRange.Week,
    };

    public static RouteGroupBuilder Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/stats", GetAsync)
            .WithName("GetSignInStatistics")
            .WithSummary("Sign-ins per hour or day, per agency, failures and MFA share")
            .WithDescription(Definition)
            .WithTags("Audit")
            .Produces<StatsView>()
            .Produces<AdminApiError>(StatusCodes.Status400BadRequest);
        return admin;
    }

    /// <summary>GET /api/admin/stats?range=24h|7d</summary>
    public static async Task<IResult> GetAsync(
        HttpRequest request, OnePassDbContext db, IOpenIddictApplicationManager applications, TimeProvider time, CancellationToken cancellationToken)
    {
        var query = AdminApiQuery.Read(request, "range");
        var range = query.OneOf("range", Ranges) ?? StatsRange.Day;
        if (query.Error is { } error)
        {
            return error;
        }

        var now = time.GetUtcNow();
        var (size, count, first) = range == StatsRange.Day
            ? (TimeSpan.FromHours(1), 24, new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-23))
            : (TimeSpan.FromDays(1), 7, new DateTimeOffset(now.Year, now.Month, now.Day, 0, 0, 0, TimeSpan.Zero).AddDays(-6));
        var end = first + (size * count);

        // SQLite stores DateTimeOffset here as binary ticks (SqliteOnePassDbContext), so no SQL date function can
        // bucket it on both providers: the window's events are projected to four small fields and bucketed in
        // memory. The window is at most 7 days (plus the second-factor window before it, to pair a password with
        // its second factor), so the list is bounded by a week of sign-ins.
        var events = await db.AuthEvents.AsNoTracking()
            .Where(e => e.Time >= first - SecondFactorWindow && e.Time < end && SignInMethods.Contains(e.Method) &&
                (e.Outcome == AuthAudit.Success || FailureOutcomes.Contains(e.Outcome)))
            .OrderBy(e => e.Time)
            .Select(e => new StatsEvent(e.Time, e.Outcome, e.Method, e.UserId, e.ClientId))
            .ToListAsync(cancellationToken);

        var tally = Count(events, first, size, count);

        // Per agency: the same sign-ins, by the agency their first event named.
        var perAgency = tally.PerAgency
            .OrderByDescending(agency => agency.Value).ThenBy(agency => agency.Key, StringComparer.Ordinal)
            .Take(TopAgencies)
            .Select(agency => new { ClientId = agency.Key, Count = agency.Value })
            .ToList();

        var agencies = new List<AgencySignIns>(perAgency.Count);
        foreach (var agency in perAgency)
        {
            var application = await applications.FindByClientIdAsync(agency.ClientId, cancellationToken);
            var name = application is null ? null : await applications.GetDisplayNameAsync(application, cancellationToken);
            agencies.Add(new AgencySignIns(agency.ClientId, name, agency.Count));
        }

        return Results.Ok(new StatsView(
            range == StatsRange.Day ? "24h" : "7d",
            range == StatsRange.Day ? "hour" : "day",
            first,
            end,
            [.. tally.Buckets],
            tally.Buckets.Sum(b => b.Successes),
            tally.Buckets.Sum(b => b.Failures),
            agencies,
            new MfaShare(tally.FactorSignIns, tally.WithSecondFactor,
                tally.FactorSignIns == 0 ? null : Math.Round((double)tally.WithSecondFactor / tally.FactorSignIns, 4))));
    }

    /// <summary>Applies <see cref="Definition"/> to events ordered by time.</summary>
    public static StatsTally Count(IReadOnlyList<StatsEvent> events, DateTimeOffset first, TimeSpan size, int count)
    {
        var perAgency = new Dictionary<string, int>(StringComparer.Ordinal);
        void CountAgency(StatsEvent e)
        {
            if (e.ClientId is { } clientId)
            {
                perAgency[clientId] = perAgency.GetValueOrDefault(clientId) + 1;
            }
        }

        var successes = new int[count];
        var failures = new int[count];
        var factorSignIns = 0;
        var withSecondFactor = 0;
        var passwords = new Dictionary<Guid, DateTimeOffset>(); // a user's accepted password still waiting for its second factor

        int? Bucket(DateTimeOffset at) => at < first ? null : (int)((at - first).Ticks / size.Ticks) is var i && i < count ? i : null;

        foreach (var e in events)
        {
            var bucket = Bucket(e.Time);
            if (e.Outcome != AuthAudit.Success)
            {
                if (bucket is { } failed)
                {
                    failures[failed]++;
                }

                continue;
            }

            if (e.Method == AuthAudit.SessionReused)
            {
                if (bucket is { } reused)
                {
                    successes[reused]++;
                    CountAgency(e);
                }
            }
            else if (e.Method == AuthenticationMethods.Password)
            {
                if (e.UserId is { } user)
                {
                    passwords[user] = e.Time;
                }

                if (bucket is { } started)
                {
                    successes[started]++;
                    factorSignIns++;
                    CountAgency(e);
                }
            }
            else if (e.UserId is { } user && passwords.Remove(user, out var passwordAt) && e.Time - passwordAt <= SecondFactorWindow)
            {
                // The second factor of the sign-in counted with its password.
                if (Bucket(passwordAt) is not null)
                {
                    withSecondFactor++;
                }
            }
            else if (bucket is { } alone)
            {
                successes[alone]++;
                factorSignIns++;
                withSecondFactor++;
                CountAgency(e);
            }
        }

        return new StatsTally(
            [.. Enumerable.Range(0, count).Select(i => new StatsBucket(first + (size * i), successes[i], failures[i]))], factorSignIns, withSecondFactor, perAgency);
    }

    private enum StatsRange
    {
        Day,
        Week,
    }
}

/// <summary>The fields of a sign-in event the statistics need.</summary>
public sealed record StatsEvent(DateTimeOffset Time, string Outcome, string Method, Guid? UserId, string? ClientId = null);

/// <summary>The sign-ins of a range: per bucket, how many gave a factor and used a second one, and per agency.</summary>
public sealed record StatsTally(IReadOnlyList<StatsBucket> Buckets, int FactorSignIns, int WithSecondFactor, IReadOnlyDictionary<string, int> PerAgency)
{
    public void Deconstruct(out IReadOnlyList<StatsBucket> buckets, out int factorSignIns, out int withSecondFactor) =>
        (buckets, factorSignIns, withSecondFactor) = (Buckets, FactorSignIns, WithSecondFactor);
}

/// <summary>The statistics of one range; see <see cref="SignInStatistics.Definition"/>.</summary>
public sealed record StatsView(
    string Range,
    string BucketSize,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<StatsBucket> Buckets,
    int Successes,
    int Failures,
    IReadOnlyList<AgencySignIns> Agencies,
    MfaShare Mfa);

/// <summary>One hour or day, from <see cref="Start"/>.</summary>
public sealed record StatsBucket(DateTimeOffset Start, int Successes, int Failures);

/// <summary>Successful sign-ins that named this agency.</summary>
public sealed record AgencySignIns(string ClientId, string? DisplayName, int SignIns);

/// <summary>Of the sign-ins where a factor was given, how many used a second one.</summary>
public sealed record MfaShare(int SignIns, int WithSecondFactor, double? Share);
