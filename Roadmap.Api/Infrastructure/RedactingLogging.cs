using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Roadmap.Api.Infrastructure;

/// <summary>
/// Keeps credentials out of every log, whatever writes it (issue 13): API keys and link tokens (<c>rmk_…</c>, kept
/// to their visible prefix) and webhook signing secrets (<c>whsec_…</c>). ASP.NET Core's request log prints a link
/// token's URL in full at Information and Debug; a library may print a request it failed on. The factory wraps every
/// provider, including those added after the API's own (tests, hosting), because it is the one all loggers come from.
/// </summary>
public static partial class RedactingLogging
{
    public static IServiceCollection AddCredentialRedaction(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp =>
            new RedactingLoggerFactory(ActivatorUtilities.CreateInstance<LoggerFactory>(sp))));
        return services;
    }

    /// <summary>The text with every credential replaced by its visible part.</summary>
    public static string Redact(string text) =>
        text.Contains("rmk_", StringComparison.Ordinal) || text.Contains("whsec_", StringComparison.Ordinal)
            ? Secret().Replace(text, m => m.Value.StartsWith("rmk_", StringComparison.Ordinal) ? $"{m.Value[..Math.Min(12, m.Value.Length)]}…" : "whsec_…")
            : text;

    [GeneratedRegex(@"rmk_[A-Za-z0-9_\-]{8,}|whsec_[A-Za-z0-9+/=_\-]{8,}")]
    private static partial Regex Secret();

    private sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName));

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose() => inner.Dispose();
    }

    private sealed class RedactingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            var redacted = Redact(message);
            if (ReferenceEquals(redacted, message) && (exception is null || ReferenceEquals(Redact(exception.Message), exception.Message)))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }

            // The message alone, as text: its structured values held the credential.
            inner.Log(logLevel, eventId, redacted, exception is null ? null : new RedactedException(exception), static (text, _) => text);
        }
    }

    /// <summary>An exception whose message carried a credential, logged with the credential removed.</summary>
    private sealed class RedactedException(Exception original)
        : Exception($"{original.GetType().FullName}: {Redact(original.Message)}");
}
