using Microsoft.Extensions.Logging;

namespace Workflow.DurableSidecar;

/// <summary>A view of a logger factory that drops entries below a level; it does not own the factory.</summary>
internal sealed class MinimumLevelLoggerFactory(ILoggerFactory inner, LogLevel minimum) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new Logger(inner.CreateLogger(categoryName), minimum);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
        // The inner factory belongs to whoever passed it in.
    }

    private sealed class Logger(ILogger inner, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= minimum && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
