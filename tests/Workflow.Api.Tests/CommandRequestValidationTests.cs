using System.Text.Json;
using Workflow.Api.Commands;
using Workflow.Vehicles;

namespace Workflow.Api.Tests;

/// <summary>
/// The product's start validation against the SDK catalogue (<c>VehicleApiCatalogue</c>): what the 400 problem's
/// <c>errors</c> name, and that every call of the catalogue is accepted.
/// </summary>
public sealed class CommandRequestValidationTests
{
    private const string Vin = "VF7ABCDEFGH000001";

    public static TheoryData<string, string, string> Refusals => new()
    {
        { """{"api":"pims.remote.door.lock","parameters":{}}""", "api", "is not an API this product sends: use pims.vehicle.command (remote commands) or pims.vehicle.informations" },
        { """{"api":"pims.vehicle.status","parameters":{}}""", "api", "is not an API this product sends" },
        { """{"api":"pims.authentication.otp","parameters":{"action":"withPIN","pinCode":"123456"}}""", "api", "cannot be started as a command" },
        { """{"api":"PIMS.Authentication.OTP","parameters":{"action":"withPIN"}}""", "api", "cannot be started as a command" },
        { """{"api":"pims.authentication.otp","parameters":[1]}""", "api", "cannot be started as a command" },
        { """{"api":"pims vehicle"}""", "api", "must be a pims API name" },
        { """{"api":"pims.vehicle.command"}""", "parameters", "parameters are required for pims.vehicle.command" },
        { """{"api":"pims.vehicle.command","parameters":[1]}""", "parameters", "JSON object" },
        { """{"api":"pims.vehicle.command","parameters":{}}""", "parameters.action", "parameters.action is required: the remote command: doors, horn, warning, charge, chargeDeferredTime, preconditioning" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"fly"}}""", "parameters.action", "must be one of doors, horn" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"doors"}}""", "parameters.doorState", "parameters.doorState is required: lock or unlock" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"doors","doorState":"open"}}""", "parameters.doorState", "must be one of lock, unlock" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"doors","doorState":"lock","force":true}}""", "parameters.force", "is not a parameter of pims.vehicle.command with action doors" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"horn","doorState":"lock"}}""", "parameters.doorState", "it takes only action" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"charge"}}""", "parameters.startNow", "parameters.startNow is required: true or false" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"charge","startNow":"yes"}}""", "parameters.startNow", "must be a boolean" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"chargeDeferredTime","startNow":false,"deferredTime":"22:30","checkStartCharge":true}}""", "parameters.deferredTime", "ISO 8601 duration" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"chargeDeferredTime","startNow":false,"deferredTime":"PT1H"}}""", "parameters.checkStartCharge", "is required: true or false" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"preconditioning","startNow":true}}""", "parameters.programs", "parameters.programs is required" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"preconditioning","startNow":true,"programs":{}}}""", "parameters.programs", "must be an array" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"preconditioning","startNow":true,"programs":[1]}}""", "parameters.programs[0]", "must be an object" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"preconditioning","startNow":true,"programs":[{"hour":24,"minute":0,"isEnabled":true,"occurrence":["mon"],"slot":1}]}}""", "parameters.programs[0].hour", "an integer from 0 to 23" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"preconditioning","startNow":true,"programs":[{"hour":7,"minute":60,"isEnabled":true,"occurrence":["mon"],"slot":1}]}}""", "parameters.programs[0].minute", "an integer from 0 to 59" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"preconditioning","startNow":true,"programs":[{"hour":7,"minute":0,"isEnabled":"yes","occurrence":["mon"],"slot":1}]}}""", "parameters.programs[0].isEnabled", "true or false" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"preconditioning","startNow":true,"programs":[{"hour":7,"minute":0,"isEnabled":true,"occurrence":["monday"],"slot":1}]}}""", "parameters.programs[0].occurrence", "distinct days among mon, tue" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"preconditioning","startNow":true,"programs":[{"hour":7,"minute":0,"isEnabled":true,"occurrence":["mon"],"slot":"a"}]}}""", "parameters.programs[0].slot", "an integer of at least 0" },
        { """{"api":"pims.vehicle.command","parameters":{"action":"preconditioning","startNow":true,"programs":[{"hour":7,"minute":0,"isEnabled":true,"occurrence":["mon"],"slot":1,"temp":21}]}}""", "parameters.programs[0].temp", "is not a field of a program" },
        { """{"api":"pims.vehicle.informations","parameters":{"action":"get"}}""", "parameters.actionType", "parameters.actionType is required: remote" },
        { """{"api":"pims.vehicle.informations","parameters":{"actionType":"local","action":"get"}}""", "parameters.actionType", "must be \"remote\"" },
        { """{"api":"pims.vehicle.informations","parameters":{"actionType":"remote","action":"wake"}}""", "parameters.action", "must be one of get, refresh, refreshWithWakeUp" },
        { """{"api":"pims.vehicle.informations","parameters":{"actionType":"remote"}}""", "parameters.action", "parameters.action is required: get, refresh, refreshWithWakeUp" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_start_outside_the_catalogue_is_refused_naming_the_field(string partial, string field, string message)
    {
        Assert.False(TryParse(partial, out _, out Dictionary<string, string[]> errors));

        Assert.True(errors.ContainsKey(field), $"errors name {string.Join(", ", errors.Keys)}, not {field}");
        Assert.Contains(message, errors[field][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Several_problems_are_named_together()
    {
        Assert.False(TryParse("""{"api":"pims.vehicle.command","parameters":{"action":"chargeDeferredTime","startNow":1,"deferredTime":"x"}}""", out _, out Dictionary<string, string[]> errors));

        Assert.Equal(["parameters.checkStartCharge", "parameters.deferredTime", "parameters.startNow"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("""{"api":"pims.vehicle.command","parameters":{"action":"doors","doorState":"lock"}}""")]
    [InlineData("""{"api":"pims.vehicle.command","parameters":{"action":"doors","doorState":"unlock"}}""")]
    [InlineData("""{"api":"pims.vehicle.command","parameters":{"action":"horn"}}""")]
    [InlineData("""{"api":"pims.vehicle.command","parameters":{"action":"warning"}}""")]
    [InlineData("""{"api":"pims.vehicle.command","parameters":{"action":"charge","startNow":false}}""")]
    [InlineData("""{"api":"pims.vehicle.command","parameters":{"action":"chargeDeferredTime","startNow":false,"deferredTime":"PT22H30M","checkStartCharge":true}}""")]
    [InlineData("""{"api":"pims.vehicle.command","parameters":{"action":"preconditioning","startNow":true,"programs":[]}}""")]
    [InlineData("""{"api":"pims.vehicle.command","parameters":{"action":"preconditioning","startNow":false,"programs":[{"hour":7,"minute":30,"isEnabled":true,"occurrence":["mon","sun"],"slot":1}]}}""")]
    [InlineData("""{"api":"pims.vehicle.informations","parameters":{"actionType":"remote","action":"get"}}""")]
    [InlineData("""{"api":"pims.vehicle.informations","parameters":{"actionType":"remote","action":"refresh"}}""")]
    [InlineData("""{"api":"pims.vehicle.informations","parameters":{"actionType":"remote","action":"refreshWithWakeUp"}}""")]
    public void Every_call_of_the_catalogue_is_accepted_and_passed_on_unchanged(string partial)
    {
        Assert.True(TryParse(partial, out StartCommand? command, out Dictionary<string, string[]> errors), string.Join(" ", errors.SelectMany(e => e.Value)));

        using JsonDocument sent = JsonDocument.Parse(partial);
        Assert.Equal(sent.RootElement.GetProperty("api").GetString(), command!.Request.Api);
        Assert.True(JsonElement.DeepEquals(sent.RootElement.GetProperty("parameters"), command.Request.Parameters!.Value));

        // The orchestrator's own check applies the very same rules.
        Assert.Null(VehicleCommandValidation.Validate(command.Request));
    }

    private static bool TryParse(string partial, out StartCommand? command, out Dictionary<string, string[]> errors)
    {
        using JsonDocument body = JsonDocument.Parse(partial.Insert(1, $"\"vin\":\"{Vin}\","));
        return CommandRequestValidation.TryParseStart(body.RootElement, out command, out errors);
    }
}
