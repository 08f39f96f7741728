using System.Text.Encodings.Web;
using System.Text.Json;

namespace Workflow.VehicleSimulator;

/// <summary>
/// The one serializer setting of the simulator: web defaults (camelCase, case-insensitive reading),
/// and no HTML-oriented escaping, because results pass through a <see cref="JsonElement"/> and would
/// otherwise come out as <c>"\u002B00:00"</c>. The answers are JSON APIs, never embedded in HTML.
/// </summary>
internal static class SimulatorJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
