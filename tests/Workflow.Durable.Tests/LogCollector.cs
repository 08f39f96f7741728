using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Workflow.Durable.Tests;

/// <summary>Keeps what a test host logs, so tests can assert on the runtime's structured events and print them on failure.</summary>
internal sealed class LogCollector : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public bool Contains(int eventId, string? text = null)
        => _entries.Any(e => e.EventId == eventId && (text is null || e.Message.Contains(text, StringComparison.Ordinal)));

    public string Dump() => string.Join('\n', _entries.Select(e => $"{e.Level} {e.Category}[{e.EventId}] {e.Message} {e.Exception?.GetType().Name}: {e.Exception?.Message}"));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    internal sealed record LogEntry(string Category, LogLevel Level, int EventId, string Message, Exception? Exception);

    private sealed class Logger(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        // The runtime's own categories at every level, everything else from warnings up.
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning || category.StartsWith("Workflow.", StringComparison.Ordinal);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner._entries.Enqueue(new LogEntry(category, logLevel, eventId.Id, formatter(state, exception), exception));
            }
        }
    }
}
