using System.Net;
using System.Net.Sockets;

namespace AofSim.Blackbox.Running;

/// <summary>A free TCP port on 127.0.0.1, found by binding port 0 and letting it go.</summary>
public static class FreePort
{
    /// <summary>A port nobody listened on a moment ago.</summary>
    public static int Next()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
