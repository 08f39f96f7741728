using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Workflow.VehicleSimulator.Auth;
using Workflow.VehicleSimulator.Faults;
using Workflow.VehicleSimulator.Pims;
using Workflow.VehicleSimulator.State;

namespace Workflow.VehicleSimulator.Control;

/// <summary>
/// <c>/_sim/…</c>: unauthenticated controls for tests and demos. They expose OTPs on purpose (a test
/// plays the user who reads the OTP); they never expose PINs.
/// </summary>
internal static class ControlEndpoints
{
    private const int MaxDelayMs = 10 * 60 * 1000;

    /// <summary>Longest cooldown or command duration a vehicle can be given (the options' bound too).</summary>
    private static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    public static void Map(IEndpointRouteBuilder app)
    {
        var sim = app.MapGroup("/_sim");

        // Every per-vehicle control refuses a malformed VIN before anything else.
        var vehicle = sim.MapGroup("/vehicles/{vin}").AddEndpointFilter((context, next) =>
            Vin.IsValid(context.HttpContext.GetRouteValue("vin") as string) ? next(context) : ValueTask.FromResult<object?>(JsonBody.BadRequest(Vin.Rule)));
        vehicle.MapPut("/pin", SetPinAsync);
        vehicle.MapPost("/next-errors", QueueErrorsAsync);
        vehicle.MapGet("/state", GetState);
        vehicle.MapPut("/state", SetStateAsync);
        vehicle.MapPost("/unblock", Unblock);
        sim.MapPost("/tokens/expire", (TokenIssuer tokens) =>
        {
            tokens.ExpireAll();
            return Results.NoContent();
        });
        sim.MapPost("/faults", AddFaultAsync);
        sim.MapGet("/faults", (SimulatorState state) => Results.Json(state.Faults.List(), SimulatorJson.Options));
        sim.MapDelete("/faults", (SimulatorState state) =>
        {
            state.Faults.Clear();
            return Results.NoContent();
        });
        sim.MapGet("/otps", (string? vin, SimulatorState state) => Results.Json(state.Otps.List(vin), SimulatorJson.Options));
        sim.MapGet("/requests", (string? vin, SimulatorState state) => Results.Json(state.Requests.List(vin), SimulatorJson.Options));
        sim.MapPost("/reset", (SimulatorState state) =>
        {
            state.Reset();
            return Results.NoContent();
        });
    }

    private static async Task<IResult> SetPinAsync(string vin, HttpContext context, SimulatorState state)
    {
        var (body, error) = await JsonBody.ReadAsync<SetPinRequest>(context.Request, context.RequestAborted);
        if (error is not null)
        {
            return error;
        }

        if (body!.Pin is not { Length: >= 4 and <= 8 } pin || !pin.All(char.IsAsciiDigit))
        {
            return JsonBody.BadRequest("pin must be 4 to 8 digits.");
        }

        state.Vehicles.SetPin(vin, pin);
        return Results.NoContent();
    }

    private static IResult GetState(string vin, SimulatorState state) => Results.Json(state.Vehicles.State(vin), SimulatorJson.Options);

    private static IResult Unblock(string vin, SimulatorState state)
    {
        state.Vehicles.Update(vin, v => v.Apply(new VehicleStateUpdate { AccountBlocked = false }));
        return Results.NoContent();
    }

    private static async Task<IResult> SetStateAsync(string vin, HttpContext context, SimulatorState state)
    {
        var (body, error) = await JsonBody.ReadAsync<VehicleStateUpdate>(context.Request, context.RequestAborted);
        if (error is not null)
        {
            return error;
        }

        if (body!.Doors is not (null or "locked" or "unlocked"))
        {
            return JsonBody.BadRequest("doors must be \"locked\" or \"unlocked\".");
        }

        if (body.RunningAction is { Length: > 0 } running && !PimsCatalogue.RemoteActions.Contains(running))
        {
            return JsonBody.BadRequest($"runningAction must be one of {string.Join(", ", PimsCatalogue.RemoteActions)}, or \"\" to clear it.");
        }

        if (body.WrongPinsBeforeBlock is < 1 or > 100)
        {
            return JsonBody.BadRequest("wrongPinsBeforeBlock must be between 1 and 100.");
        }

        string? badDuration = !IsDuration(body.HornCooldown) ? "hornCooldown"
            : !IsDuration(body.LightsCooldown) ? "lightsCooldown"
            : !IsDuration(body.CommandDuration) ? "commandDuration"
            : null;
        if (badDuration is not null)
        {
            return JsonBody.BadRequest($"{badDuration} must be a duration from \"00:00:00\" to \"1.00:00:00\".");
        }

        if (body.StrongAuth?.Keys.FirstOrDefault(k => !IsStrongAuthKey(k)) is { } badKey)
        {
            return JsonBody.BadRequest($"strongAuth key '{badKey}' must be {PimsCodes.CommandApi} or {PimsCodes.InformationsApi}, optionally followed by :action.");
        }

        state.Vehicles.Update(vin, v => v.Apply(body));
        return Results.Json(state.Vehicles.State(vin), SimulatorJson.Options);
    }

    /// <summary>Absent, or a cooldown / command duration a vehicle can have.</summary>
    private static bool IsDuration(TimeSpan? value) => value is not { } duration || (duration >= TimeSpan.Zero && duration <= MaxDuration);

    private static bool IsStrongAuthKey(string key)
    {
        var api = key.Split(':', 2)[0];
        return api is PimsCodes.CommandApi or PimsCodes.InformationsApi;
    }

    private static async Task<IResult> QueueErrorsAsync(string vin, HttpContext context, SimulatorState state)
    {
        var (body, error) = await JsonBody.ReadAsync<NextErrorsRequest>(context.Request, context.RequestAborted);
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrWhiteSpace(body!.Api))
        {
            return JsonBody.BadRequest("api is required.");
        }

        if (body.Codes is not { Count: > 0 } codes)
        {
            return JsonBody.BadRequest("codes must be a non-empty array of integers.");
        }

        state.Vehicles.EnqueueErrors(vin, body.Api, codes);
        return Results.NoContent();
    }

    private static async Task<IResult> AddFaultAsync(HttpContext context, SimulatorState state)
    {
        var (body, error) = await JsonBody.ReadAsync<FaultRequest>(context.Request, context.RequestAborted);
        if (error is not null)
        {
            return error;
        }

        if (body!.Status is not ({ } status and (0 or (>= 400 and <= 599))))
        {
            return JsonBody.BadRequest("status must be 0 (delay only) or an HTTP error status from 400 to 599.");
        }

        if (body.Count is < 1)
        {
            return JsonBody.BadRequest("count must be at least 1.");
        }

        if (body.DelayMs is < 0 or > MaxDelayMs)
        {
            return JsonBody.BadRequest($"delayMs must be between 0 and {MaxDelayMs}.");
        }

        if (body.Path is { } path && !path.StartsWith(FaultInjector.ApiPathPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return JsonBody.BadRequest($"path must start with {FaultInjector.ApiPathPrefix}: faults apply to the vehicle API only.");
        }

        state.Faults.Add(new FaultRule(status, body.Count ?? 1, body.DelayMs ?? 0, body.Path));
        return Results.NoContent();
    }
}
