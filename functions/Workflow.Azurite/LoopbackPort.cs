using System.Net.Sockets;

namespace Workflow.Azurite;

/// <summary>TCP ports on 127.0.0.1, where Azurite listens.</summary>
public static class LoopbackPort
{
    /// <summary>Whether something accepts TCP connections on 127.0.0.1:<paramref name="port"/> right now.</summary>
    /// <param name="port">The port to try.</param>
    /// <param name="cancellationToken">Stops the connection attempt.</param>
    public static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
