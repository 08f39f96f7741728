using System.Security.Cryptography;
using System.Text;

namespace Workflow.VehicleSimulator;

/// <summary>
/// Comparison of secrets (client credentials, PINs) in constant time, as a real gateway would do: the simulator should
/// not teach clients habits a real check would punish.
/// </summary>
internal static class ConstantTime
{
    /// <summary>Whether <paramref name="actual"/> and <paramref name="expected"/> are the same text, compared as UTF-8 in constant time.</summary>
    public static bool AreEqual(string actual, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(actual), Encoding.UTF8.GetBytes(expected));
}
