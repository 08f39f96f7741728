namespace Workflow.LocalHost.LocalStack;

/// <summary>
/// The one-command local stack of a Development run (configuration section <c>LocalStack</c>): Azurite and the
/// vehicle API simulator, started with the app and stopped with it. Never outside Development.
/// </summary>
public sealed class LocalStackOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "LocalStack";

    /// <summary>Master switch; tests turn it off and bring their own Azurite and simulator.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Azurite's blob port, when storage is not configured (<c>AzureWebJobsStorage</c> unset). 0 with the other two
    /// ports 0 takes three free ports and prints them. A port something else listens on stops the start with an
    /// error that names it: the app never adopts a storage emulator it did not start.
    /// </summary>
    public int AzuriteBlobPort { get; set; } = 10000;

    /// <summary>Azurite's queue port; see <see cref="AzuriteBlobPort"/>.</summary>
    public int AzuriteQueuePort { get; set; } = 10001;

    /// <summary>Azurite's table port; see <see cref="AzuriteBlobPort"/>.</summary>
    public int AzuriteTablePort { get; set; } = 10002;

    /// <summary>
    /// Where the in-process simulator listens when <c>VehicleApi:BaseUrl</c> is unset; port 0 takes a free port. A
    /// taken port stops the start: PINs and the gateway's client secret only ever go to a simulator this app started.
    /// </summary>
    public Uri SimulatorUrl { get; set; } = new("http://127.0.0.1:7072/");

    /// <summary>Print the URLs, the local key and a copy-paste curl demo once the app listens.</summary>
    public bool PrintDemo { get; set; } = true;
}
