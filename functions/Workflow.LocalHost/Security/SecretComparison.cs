using System.Security.Cryptography;
using System.Text;

namespace Workflow.LocalHost.Security;

/// <summary>Constant-time comparison of secrets presented by callers.</summary>
internal static class SecretComparison
{
    /// <summary>
    /// Compares in time that depends on neither the contents nor the lengths: both sides are hashed
    /// first, so a caller cannot learn the key's length or a matching prefix from response times.
    /// </summary>
    public static bool FixedTimeEquals(string presented, string expected)
    {
        Span<byte> left = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> right = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), left);
        SHA256.HashData(Encoding.UTF8.GetBytes(expected), right);
        return CryptographicOperations.FixedTimeEquals(left, right);
    }
}
