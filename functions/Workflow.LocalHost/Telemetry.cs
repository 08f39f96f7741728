using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Workflow.LocalHost;

/// <summary>
/// OpenTelemetry traces of the local host: ASP.NET Core requests and Microsoft.DurableTask's orchestrations and activities. Exported
/// with OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, so a plain local run sends nothing.
/// </summary>
internal static class Telemetry
{
    public const string ServiceName = "Workflow.LocalHost";

    /// <summary>Microsoft.DurableTask's ActivitySource.</summary>
    public const string DurableSource = "Microsoft.DurableTask";

    /// <summary>ASP.NET Core's own ActivitySource for incoming requests.</summary>
    public const string AspNetCoreSource = "Microsoft.AspNetCore";

    public static void Configure(WebApplicationBuilder builder)
    {
        bool otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(AspNetCoreSource, DurableSource).AddProcessor(new QueryRedactionProcessor());
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            });
    }
}

/// <summary>
/// Removes the query string's values from URL tags before export: the function key (<c>code</c>) and the
/// PIN token (<c>token</c>) travel in query strings and must not end up in a trace store.
/// </summary>
internal sealed class QueryRedactionProcessor : BaseProcessor<Activity>
{
    private static readonly string[] UrlTags = ["url.query", "url.full", "http.url", "http.target"];

    public override void OnEnd(Activity data)
    {
        foreach (string tag in UrlTags)
        {
            if (data.GetTagItem(tag) is string value && (tag == "url.query" || value.Contains('?', StringComparison.Ordinal)))
            {
                data.SetTag(tag, Redact(value));
            }
        }
    }

    /// <summary>Keeps names, replaces every value: <c>?code=abc&amp;token=x</c> becomes <c>?code=Redacted&amp;token=Redacted</c>.</summary>
    internal static string Redact(string value)
    {
        int question = value.IndexOf('?', StringComparison.Ordinal);
        if (question < 0 && (value.Contains("://", StringComparison.Ordinal) || value.StartsWith('/')))
        {
            return value;
        }

        string prefix = question >= 0 ? value[..(question + 1)] : string.Empty;
        string query = question >= 0 ? value[(question + 1)..] : value;
        if (query.Length == 0)
        {
            return value;
        }

        IEnumerable<string> parts = query.Split('&').Select(p => p.Split('=', 2)[0] + "=Redacted");
        return prefix + string.Join('&', parts);
    }
}
