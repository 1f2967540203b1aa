using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>
/// Resolves the "libc" import name to glibc's real soname (libc.so.6) first. Left to itself the runtime probes
/// libc.so (a linker script on Debian), liblibc.so and a dozen directories before finding it: measured at about
/// half of a short CLI run's time. musl systems fall through to the default probing.
/// </summary>
internal static class LibcResolver
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The resolver must be installed before the first P/Invoke; it only affects this assembly's 'libc' imports.")]
    internal static void Install() => NativeLibrary.SetDllImportResolver(typeof(LibcResolver).Assembly, Resolve);

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != "libc") return 0;
        return NativeLibrary.TryLoad("libc.so.6", out nint handle) ? handle : 0;
    }
}
