using Microsoft.Extensions.Logging;

namespace Workflow.Vehicles.Api;

/// <summary>What the vehicle API client logs: API, VIN, status, code and transaction id; never a PIN, an OTP or a token.</summary>
internal static partial class VehicleApiLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Vehicle API {Api} for VIN {Vin}: {Status} (transaction {TransactionId})")]
    public static partial void Succeeded(ILogger logger, string api, string vin, string status, string? transactionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Vehicle API {Api} for VIN {Vin}: {Status} {ErrorCode} (transaction {TransactionId})")]
    public static partial void Failed(ILogger logger, string api, string vin, string status, int? errorCode, string? transactionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vehicle API {Api} for VIN {Vin}: HTTP {HttpStatus}")]
    public static partial void HttpFailure(ILogger logger, string api, string vin, int httpStatus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vehicle API {Api} for VIN {Vin}: unreachable ({Reason})")]
    public static partial void Unreachable(ILogger logger, string api, string vin, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Vehicle API access token refused (401); fetching a new one")]
    public static partial void TokenRejected(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Vehicle API {Api} for VIN {Vin}: 2301 Need Basic Authentication; renewing the access token and repeating the call once")]
    public static partial void BasicAuthenticationNeeded(ILogger logger, string api, string vin);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Vehicle API access token obtained, valid for {Lifetime}")]
    public static partial void TokenObtained(ILogger logger, TimeSpan lifetime);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vehicle API token endpoint: HTTP {HttpStatus}")]
    public static partial void TokenHttpFailure(ILogger logger, int httpStatus);
}
