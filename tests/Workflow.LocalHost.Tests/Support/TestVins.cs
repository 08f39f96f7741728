using System.Security.Cryptography;

namespace Workflow.LocalHost.Tests.Support;

/// <summary>Valid, unique VINs, so tests never share the simulator's per-vehicle state (PIN, queued errors, lockout).</summary>
internal static class TestVins
{
    private const string Allowed = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";

    public static string New() => "VF7" + RandomNumberGenerator.GetString(Allowed, 14);
}
