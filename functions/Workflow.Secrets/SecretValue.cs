namespace Workflow.Secrets;

/// <summary>One version of a secret, as read from an <see cref="ISecretStore"/>.</summary>
/// <remarks>
/// <see cref="ToString"/> deliberately omits <see cref="Value"/> so that a secret passed to a logger,
/// an exception message or a debugger display never shows its value.
/// </remarks>
public sealed class SecretValue
{
    /// <summary>Creates a secret value.</summary>
    /// <param name="name">The secret's name, for example <see cref="SecretNames.DataProtectionKey"/>.</param>
    /// <param name="version">The version identifier of this value (a Key Vault version id, or <c>config</c>).</param>
    /// <param name="value">The secret value itself.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> or <paramref name="version"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public SecretValue(string name, string version, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentNullException.ThrowIfNull(value);
        Name = name;
        Version = version;
        Value = value;
    }

    /// <summary>The secret's name.</summary>
    public string Name { get; }

    /// <summary>The version identifier of this value. Versions are immutable: the same version always has the same value.</summary>
    public string Version { get; }

    /// <summary>The secret value. Never log it.</summary>
    public string Value { get; }

    /// <summary>Returns the name and version only; the value is redacted.</summary>
    public override string ToString() => $"{Name}/{Version} (value redacted)";
}
