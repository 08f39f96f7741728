namespace Workflow.Functions.LocalStack;

/// <summary>
/// The one-command local stack of a Development run (configuration section <c>LocalStack</c>). Nothing
/// here ever happens outside the Development environment or under the Functions host.
/// </summary>
public sealed class LocalStackOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "LocalStack";

    /// <summary>Master switch; tests turn it off and bring their own Azurite and simulator.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Start Azurite from the repository's npm lock file when storage is <c>UseDevelopmentStorage=true</c> and nothing listens on 10000–10002.</summary>
    public bool Azurite { get; set; } = true;

    /// <summary>Start the vehicle API simulator in-process when <c>VehicleApi:BaseUrl</c> is not configured.</summary>
    public bool Simulator { get; set; } = true;

    /// <summary>Where the in-process simulator listens.</summary>
    public Uri SimulatorUrl { get; set; } = new("http://127.0.0.1:7072/");

    /// <summary>Print the URLs, the local key and a copy-paste curl demo once the app listens.</summary>
    public bool PrintDemo { get; set; } = true;
}
