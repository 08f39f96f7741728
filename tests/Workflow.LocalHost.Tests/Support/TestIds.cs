using System.Security.Cryptography;

namespace Workflow.LocalHost.Tests.Support;

/// <summary>Unique names for what tests create in shared storage.</summary>
internal static class TestIds
{
    /// <summary>A task hub name of its own: letters and digits, starting with a letter, well under 45 characters.</summary>
    public static string Hub(string prefix) => prefix + RandomNumberGenerator.GetHexString(12, lowercase: true);

    /// <summary>A command instance id nobody else uses.</summary>
    public static string Instance(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N");

    /// <summary>A random function key.</summary>
    public static string FunctionKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    /// <summary>A random data-protection key: 32 bytes, base64.</summary>
    public static string DataProtectionKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
