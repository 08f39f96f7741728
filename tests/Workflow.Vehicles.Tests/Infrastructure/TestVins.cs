namespace Workflow.Vehicles.Tests.Infrastructure;

/// <summary>A fresh VIN per test, so tests sharing a simulator never see each other's PINs, OTPs or request log.</summary>
internal static class TestVins
{
    public static string New() => "VT" + Guid.NewGuid().ToString("N")[..15].ToUpperInvariant();
}
