namespace Workflow.Secrets.Tests;

/// <summary>Holds every request in front of an inner handler until <see cref="Release"/>, to make overlaps certain.</summary>
internal sealed class GatedHandler : DelegatingHandler
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GatedHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    public void Release() => _gate.TrySetResult();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await _gate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
