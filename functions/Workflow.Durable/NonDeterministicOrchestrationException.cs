namespace Workflow.Durable;

/// <summary>
/// The orchestrator did something different on replay than what its history records, usually
/// because its code changed while instances were in flight or because it used non-deterministic
/// APIs. The instance fails with this error.
/// </summary>
public sealed class NonDeterministicOrchestrationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NonDeterministicOrchestrationException(string message) : base(message)
    {
    }
}
