namespace Workflow.VehicleSimulator.Control;

/// <summary>Body of <c>PUT /_sim/vehicles/{vin}/pin</c>.</summary>
internal sealed record SetPinRequest(string? Pin);

/// <summary>Body of <c>POST /_sim/vehicles/{vin}/next-errors</c>.</summary>
internal sealed record NextErrorsRequest(string? Api, IReadOnlyList<int>? Codes);

/// <summary>Body of <c>POST /_sim/faults</c>; absent count means one request, absent path every <c>/v1/</c> path.</summary>
internal sealed record FaultRequest(int? Status, int? Count, int? DelayMs, string? Path);
