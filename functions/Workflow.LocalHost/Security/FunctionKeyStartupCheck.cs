using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflow.Secrets;

namespace Workflow.LocalHost.Security;

/// <summary>
/// Reads the function key once at start-up, so a production app without it fails to start with a clear
/// message instead of answering every request with an error, and says where the key in use comes from
/// (the setting wins over the secret, which an operator looking at only one of them would not see).
/// </summary>
internal sealed partial class FunctionKeyStartupCheck(FunctionKeys keys, ILogger<FunctionKeyStartupCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        (_, FunctionKeySource source) = await keys.GetAsync(cancellationToken).ConfigureAwait(false);
        switch (source)
        {
            case FunctionKeySource.Setting:
                LogKeyFromSetting(logger, FunctionKeys.SettingName);
                break;
            case FunctionKeySource.Secret:
                LogKeyFromSecret(logger, SecretNames.FunctionsDefaultKey);
                break;
            case FunctionKeySource.LocalDevelopmentDefault:
                LogLocalKey(logger, FunctionKeys.LocalDevelopmentKey, FunctionKeys.SettingName, SecretNames.FunctionsDefaultKey);
                break;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Development: the function key is the local default '{LocalKey}' because neither the setting {SettingName} nor the secret '{SecretName}' (Secrets:{SecretName}) is configured. Send it as the x-functions-key header or the code query parameter.")]
    private static partial void LogLocalKey(ILogger logger, string localKey, string settingName, string secretName);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "The function key comes from the setting {SettingName}.")]
    private static partial void LogKeyFromSetting(ILogger logger, string settingName);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "The function key comes from the secret '{SecretName}'.")]
    private static partial void LogKeyFromSecret(ILogger logger, string secretName);
}
