namespace Workflow.Secrets;

/// <summary>Reads secrets by name and, optionally, by version.</summary>
/// <remarks>
/// Production uses <see cref="KeyVaultSecretStore"/> (Azure Key Vault); Development may use
/// <see cref="ConfigurationSecretStore"/>. <see cref="SecretsServiceCollectionExtensions.AddWorkflowSecrets"/>
/// picks one.
/// </remarks>
public interface ISecretStore
{
    /// <summary>Gets a secret.</summary>
    /// <param name="name">The secret's name, see <see cref="SecretNames"/>.</param>
    /// <param name="version">
    /// The version to read, or <see langword="null"/> (or <c>latest</c>) for the current version.
    /// </param>
    /// <param name="cancellationToken">Cancels the wait for the secret.</param>
    /// <returns>The secret's name, the version actually read, and its value.</returns>
    /// <exception cref="SecretNotFoundException">The store has no such secret, or no such version of it.</exception>
    ValueTask<SecretValue> GetSecretAsync(string name, string? version, CancellationToken cancellationToken);
}
