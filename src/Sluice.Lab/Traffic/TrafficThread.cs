using System.Net.Sockets;
using Sluice.Bpf;

namespace Sluice.Lab.Traffic;

/// <summary>Runs blocking traffic work on its own thread, inside a network namespace when one is given.</summary>
internal static class TrafficThread
{
    internal static Task<T> Start<T>(NetworkNamespace? netns, string name, Func<T> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                completion.SetResult(netns is null ? work() : netns.Run(work));
            }
            catch (Exception error)
            {
                completion.SetException(error);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return completion.Task;
    }

    /// <summary>Opens a socket inside <paramref name="netns"/> (or here) and configures it; closes it if that fails.</summary>
    internal static Socket OpenSocket(NetworkNamespace? netns, AddressFamily family,
        SocketType type, Action<Socket> setup)
    {
        Socket Open()
        {
            var socket = new Socket(family, type, ProtocolType.Unspecified);
            try
            {
                setup(socket);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        return netns is null ? Open() : netns.Run(Open);
    }

    /// <summary>Sleeps until <paramref name="count"/> items are due at <paramref name="perSecond"/>, in at most 1 ms steps.</summary>
    internal static void Pace(System.Diagnostics.Stopwatch clock, long count, int perSecond)
    {
        if (perSecond <= 0) return;
        while (clock.Elapsed.TotalSeconds * perSecond < count) Thread.Sleep(1);
    }
}
