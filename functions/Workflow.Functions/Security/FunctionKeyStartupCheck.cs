using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflow.Secrets;

namespace Workflow.Functions.Security;

/// <summary>
/// Reads the function key once at start-up, so a production app without it fails to start with a clear
/// message instead of answering every request with an error; in Development it says which key is in use.
/// </summary>
internal sealed partial class FunctionKeyStartupCheck(FunctionKeys keys, ILogger<FunctionKeyStartupCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        (_, bool isLocalDefault) = await keys.GetAsync(cancellationToken).ConfigureAwait(false);
        if (isLocalDefault)
        {
            LogLocalKey(logger, FunctionKeys.LocalDevelopmentKey, SecretNames.FunctionsDefaultKey);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Development: the function key is the local default '{LocalKey}' because no secret '{SecretName}' is configured (Secrets:{SecretName}). Send it as the x-functions-key header or the code query parameter.")]
    private static partial void LogLocalKey(ILogger logger, string localKey, string secretName);
}
