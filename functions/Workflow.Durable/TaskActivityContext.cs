namespace Workflow.Durable;

/// <summary>Identifies one activity invocation.</summary>
/// <param name="Name">The activity name.</param>
/// <param name="InstanceId">The orchestration instance that scheduled it.</param>
/// <param name="TaskId">
/// The sequence number of the call inside the orchestration. Together with
/// <paramref name="InstanceId"/> it is stable across redeliveries and retries of the same call,
/// which makes it a good idempotency key.
/// </param>
/// <param name="Attempt">1 for the first delivery of this call; higher when the message was redelivered.</param>
/// <param name="CancellationToken">Signalled when the worker shuts down.</param>
public sealed record TaskActivityContext(
    string Name,
    string InstanceId,
    int TaskId,
    int Attempt,
    CancellationToken CancellationToken);
