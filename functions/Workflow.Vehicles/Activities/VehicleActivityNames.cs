namespace Workflow.Vehicles.Activities;

/// <summary>Names under which the vehicle workflow's activities are registered.</summary>
public static class VehicleActivityNames
{
    /// <summary><see cref="CallVehicleApiActivity"/>: one pims call, with an OTP when one was obtained.</summary>
    public const string CallVehicleApi = "VehicleCommand.CallVehicleApi";

    /// <summary><see cref="RequestVehicleOtpActivity"/>: <c>pims.authentication.otp</c> withPIN.</summary>
    public const string RequestOtp = "VehicleCommand.RequestOtp";
}
