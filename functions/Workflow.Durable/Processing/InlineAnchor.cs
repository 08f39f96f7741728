using Azure.Storage.Queues.Models;
using Workflow.Durable.Execution;
using Workflow.Durable.Storage;

namespace Workflow.Durable.Processing;

/// <summary>
/// The hidden queue message that backs a step a client call runs inline. It must be in the queue
/// before anything it would have to recover is committed: the row of a new instance, or a step's
/// outbox. It surfaces only after the inline safety delay, so when the inline step went through it is
/// deleted unread; when the step did not, it delivers the message as if nothing had been inline.
/// </summary>
internal sealed class InlineAnchor(TaskHubStorage storage, ControlMessage message, TimeSpan delay)
{
    private SendReceipt? _receipt;

    /// <summary>Sends the message, once.</summary>
    public async Task EnsureSentAsync(CancellationToken cancellationToken)
        => _receipt ??= await storage.SendControlAsync(message, delay, cancellationToken).ConfigureAwait(false);

    /// <summary>Deletes the message, if it was sent: the inline step made it redundant.</summary>
    public Task RetractAsync(CancellationToken cancellationToken)
        => _receipt is { } receipt ? storage.TryDeleteMessageAsync(storage.Control, receipt.MessageId, receipt.PopReceipt, cancellationToken) : Task.CompletedTask;
}
