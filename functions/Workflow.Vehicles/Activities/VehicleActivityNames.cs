namespace Workflow.Vehicles.Activities;

/// <summary>
/// Names under which the vehicle workflow's activities are registered. They are function names under the Functions
/// host too, so letters and digits only.
/// </summary>
public static class VehicleActivityNames
{
    /// <summary><see cref="CallVehicleApiActivity"/>: one pims call, with an OTP when one was obtained.</summary>
    public const string CallVehicleApi = "CallVehicleApi";

    /// <summary><see cref="RequestVehicleOtpActivity"/>: <c>pims.authentication.otp</c> withPIN.</summary>
    public const string RequestOtp = "RequestVehicleOtp";
}
