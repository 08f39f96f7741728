using System.Globalization;

namespace Workflow.Azurite;

/// <summary>
/// Azurite was not started because another program already listens on one or more of the ports it was given.
/// Azurite is never started next to, or instead of, a server it did not start: talking to someone else's storage
/// by accident is worse than not starting.
/// </summary>
public sealed class AzuritePortsInUseException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="taken"/>, some of <paramref name="ports"/>.</summary>
    /// <param name="ports">The ports Azurite was to listen on.</param>
    /// <param name="taken">Those of them another program listens on.</param>
    public AzuritePortsInUseException(AzuritePorts ports, IReadOnlyList<int> taken)
        : base(Describe(ports, taken))
    {
        Ports = ports;
        TakenPorts = taken;
    }

    /// <summary>The ports Azurite was to listen on.</summary>
    public AzuritePorts Ports { get; }

    /// <summary>Those of <see cref="Ports"/> that another program listens on.</summary>
    public IReadOnlyList<int> TakenPorts { get; }

    private static string Describe(AzuritePorts ports, IReadOnlyList<int> taken)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(taken);
        string which = string.Join(", ", taken.Select(p => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{p} ({ports.ServiceOf(p)})")));
        string verb = taken.Count == 1 ? "is" : "are";
        return $"Azurite was not started: {which} {verb} already in use by another program (perhaps another Azurite), and Azurite does not share "
            + "or adopt ports. Stop the program that listens there, configure other Azurite ports (or ask for free ones), "
            + "or set the storage connection string to your own Azurite so that none is started.";
    }
}
