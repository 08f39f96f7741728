namespace Workflow.VehicleSimulator.Tests.Support;

/// <summary>A fresh VIN per use, so tests sharing a server never see each other's vehicle state.</summary>
internal static class TestVins
{
    private static int _next;

    public static string Next() => "VF1TEST" + Interlocked.Increment(ref _next).ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
}
