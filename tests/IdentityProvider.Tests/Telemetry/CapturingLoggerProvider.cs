using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace OnePass.IdentityProvider.Tests.Telemetry;

/// <summary>
/// A log sink that keeps everything it is given, at every level and for every category: the message, the
/// structured values, the exception and every scope around the entry, as one line of text per entry.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedEntry> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<CapturedEntry> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder();
            text.Append(formatter(state, exception)).Append(" | ").Append(exception);
            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            Append(text, state, values);
            provider._scopes.ForEachScope((scope, builder) => Append(builder, scope, values), text);
            provider._entries.Enqueue(new CapturedEntry(category, logLevel, text.ToString(), values));
        }

        private static void Append(StringBuilder text, object? state, Dictionary<string, string?> values)
        {
            text.Append(" | ").Append(Convert.ToString(state, CultureInfo.InvariantCulture));
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    var shown = value is System.Collections.IEnumerable list and not string
                        ? string.Join(",", list.Cast<object?>())
                        : Convert.ToString(value, CultureInfo.InvariantCulture);
                    text.Append(' ').Append(key).Append('=').Append(shown);
                    values.TryAdd(key, shown);
                }
            }
        }
    }
}

public sealed record CapturedEntry(string Category, LogLevel Level, string Text, IReadOnlyDictionary<string, string?> Values);
