using Microsoft.Extensions.Hosting;

namespace Workflow.Api.Durable;

/// <summary>Reads the data key at start-up: a host without one fails to start, with the secret named, instead of failing its first command.</summary>
internal sealed class PayloadKeyWarmup(PayloadEncryption encryption) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => encryption.WarmUpAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
