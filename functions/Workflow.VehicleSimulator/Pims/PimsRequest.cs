using System.Text.Json;

namespace Workflow.VehicleSimulator.Pims;

/// <summary>Body of <c>POST /v1/pims/get</c>, as sent; <see cref="PimsRequestReader"/> checks it.</summary>
internal sealed record PimsRequest(string? Vin, string? Api, JsonElement? Parameters, string? Otp);

/// <summary>A checked pims call, ready for <see cref="PimsProcessor"/>.</summary>
/// <remarks><c>Verb</c> is <c>get</c> or <c>set</c>: which endpoint it came through.</remarks>
internal sealed record PimsCall(string Vin, string Api, JsonElement Parameters, string? Otp, string? IdempotencyKey, string Verb);
