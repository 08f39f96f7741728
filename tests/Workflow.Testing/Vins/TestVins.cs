using System.Security.Cryptography;

// A namespace of its own: Workflow.Vehicles.Tests has a TestVins of its own and imports Workflow.Testing too.
namespace Workflow.Testing.Vins;

/// <summary>
/// Valid, unique VINs (the product's 17 characters, no I, O or Q), so tests never share the simulator's per-vehicle
/// state (PIN, queued errors) nor the per-vehicle PIN lockout.
/// </summary>
public static class TestVins
{
    private const string Allowed = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";

    public static string New() => "VF7" + RandomNumberGenerator.GetString(Allowed, 14);
}
