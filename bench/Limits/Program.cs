using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

// The machine's raw limits, measured the same way every run (bench/README.md). run.sh pins this
// process to one core with taskset, so each figure is per core.
//   crypto SECONDS   RS256 and ES256 signatures/s, PBKDF2-SHA512 100k hashes/s; one JSON line
//   kestrel PORT     a bare Kestrel endpoint (GET / answers "ok") until killed
var mode = args.ElementAtOrDefault(0) ?? "crypto";
if (mode == "kestrel")
{
    var port = int.Parse(args.ElementAtOrDefault(1) ?? "5099", CultureInfo.InvariantCulture);
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
    var app = builder.Build();
    app.MapGet("/", () => "ok");
    await app.RunAsync();
    return;
}

var seconds = double.Parse(args.ElementAtOrDefault(1) ?? "3", CultureInfo.InvariantCulture);
// A payload the size of an access token's header and claims.
var payload = Encoding.ASCII.GetBytes(new string('x', 600));

using var rsa = RSA.Create(2048);
using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
var rs256 = Rate(seconds, () => rsa.SignData(payload, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
var es256 = Rate(seconds, () => ecdsa.SignData(payload, HashAlgorithmName.SHA256));
// ASP.NET Core Identity's V3 format: PBKDF2-HMAC-SHA512, 100,000 iterations, 16-byte salt, 32-byte subkey.
var salt = RandomNumberGenerator.GetBytes(16);
var pbkdf2 = Rate(seconds, () => Rfc2898DeriveBytes.Pbkdf2("correct horse battery staple", salt, 100_000, HashAlgorithmName.SHA512, 32));

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"rs256SignPerSec\":{rs256:F1},\"es256SignPerSec\":{es256:F1},\"pbkdf2PerSec\":{pbkdf2:F2}}}"));

static double Rate(double seconds, Func<object> work)
{
    for (var i = 0; i < 3; i++)
    {
        work(); // warm-up
    }

    var count = 0;
    var watch = Stopwatch.StartNew();
    while (watch.Elapsed.TotalSeconds < seconds)
    {
        work();
        count++;
    }

    return count / watch.Elapsed.TotalSeconds;
}
