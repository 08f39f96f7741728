using Workflow.Secrets;

namespace Workflow.Vehicles.Tests.Infrastructure;

/// <summary>What the function app plugs in: the real AES-GCM <see cref="PayloadProtector"/> over the app's secret store.</summary>
internal sealed class TestSensitiveDataProtector(ISecretStore secrets) : ISensitiveDataProtector
{
    private readonly PayloadProtector _protector = new(secrets);

    public ValueTask<string> SealAsync(string secret, CancellationToken cancellationToken) => _protector.ProtectAsync(secret, cancellationToken);

    public ValueTask<string> UnsealAsync(string sealedSecret, CancellationToken cancellationToken) => _protector.UnprotectAsync(sealedSecret, cancellationToken);
}
