using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Workflow.DurableSidecar.Tests;

/// <summary>Keeps what the sidecar, the engine and the worker log, to print when a test fails.</summary>
internal sealed class LogCollector : ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentQueue<string> _entries = new();

    public string Dump() => string.Join('\n', _entries);

    public bool Contains(string text) => _entries.Any(e => e.Contains(text, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning || category.StartsWith("Workflow.", StringComparison.Ordinal);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner._entries.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}[{eventId.Id}] {formatter(state, exception)} {exception?.GetType().Name} {exception?.Message}");
            }
        }
    }
}
