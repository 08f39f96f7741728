using Workflow.Vehicles.Api;

namespace Workflow.LocalHost.Tests.Support;

/// <summary>
/// The commands the tests send, from the product's API catalogue: a remote command, which the simulator refuses with
/// 2302 until it carries an OTP, and a read, which it answers at once.
/// </summary>
internal static class TestCommands
{
    /// <summary>A remote command: needs strong authentication (2302 without an OTP).</summary>
    public const string StrongAuthApi = VehicleApiCatalogue.CommandApi;

    /// <summary>Lock the doors.</summary>
    public const string StrongAuthParameters = """{"action":"doors","doorState":"lock"}""";

    /// <summary>The same API with other parameters (another body for the same instance id).</summary>
    public const string OtherStrongAuthParameters = """{"action":"doors","doorState":"unlock"}""";

    /// <summary>Reading the vehicle: no strong authentication.</summary>
    public const string PlainApi = VehicleApiCatalogue.InformationsApi;

    public const string PlainParameters = """{"actionType":"remote","action":"get"}""";

    /// <summary>A start body of the door lock.</summary>
    public static string StrongAuth(string vin, string? instanceId = null) => CommandsClient.Body(vin, StrongAuthApi, instanceId, StrongAuthParameters);

    /// <summary>A start body of the read.</summary>
    public static string Plain(string vin, string? instanceId = null) => CommandsClient.Body(vin, PlainApi, instanceId, PlainParameters);
}
