using System.Security.Cryptography;

namespace Workflow.Functions.Tests.Support;

/// <summary>Valid, unique VINs, so tests never share the simulator's per-vehicle state nor the per-vehicle PIN lockout.</summary>
internal static class TestVins
{
    private const string Allowed = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";

    public static string New() => "VF7" + RandomNumberGenerator.GetString(Allowed, 14);
}
