namespace Workflow.Benchmarks;

/// <summary>Disposes several parts in the order given, each even when one before it fails.</summary>
internal sealed class AsyncDisposables(params IAsyncDisposable[] parts) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        var errors = new List<Exception>();
        foreach (IAsyncDisposable part in parts)
        {
            try
            {
                await part.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        }

        if (errors.Count > 0)
        {
            throw errors.Count == 1 ? errors[0] : new AggregateException(errors);
        }
    }
}
