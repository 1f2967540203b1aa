using System.Runtime.InteropServices;

namespace Sluice.Bpf;

/// <summary>Runs code with the raw fd of a SafeHandle kept alive (AddRef/Release) so it cannot be closed and reused meanwhile.</summary>
internal static class HandleFd
{
    internal static int Use<TState>(SafeHandle handle, TState state, Func<int, TState, int> action)
    {
        ArgumentNullException.ThrowIfNull(handle);
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return action((int)handle.DangerousGetHandle(), state);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }
}
