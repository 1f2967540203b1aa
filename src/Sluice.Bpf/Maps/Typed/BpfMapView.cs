using System.Runtime.CompilerServices;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// Base of the typed map views. A view checks once, when it is made, that the map has an accepted type and that
/// its key and value sizes match the C# types; after that every call goes straight to the kernel.
/// </summary>
/// <remarks>
/// Ownership: a view made over an existing <see cref="BpfMap"/> <em>borrows</em> it by default (maps usually
/// belong to a collection, which closes them); pass <c>ownsMap: true</c>, or use a view's static
/// <c>Create</c>, to make disposing the view close the map too.
/// Views keep no state besides the map, so one view can be used from many threads at once (each call is one
/// atomic kernel operation); key walks and batch cursors belong to one thread each.
/// </remarks>
public abstract class BpfMapView : IDisposable
{
    private readonly bool _ownsMap;

    /// <summary>Checks the map's type against <paramref name="acceptedTypes"/>.</summary>
    private protected BpfMapView(BpfMap map, bool ownsMap, params ReadOnlySpan<BpfMapType> acceptedTypes)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (!acceptedTypes.IsEmpty && !acceptedTypes.Contains(map.Type))
        {
            throw new ArgumentException(
                $"map '{map.Name}' is a {map.Type} map; {GetType().Name.Split('`')[0]} needs {string.Join(" or ", acceptedTypes.ToArray())}",
                nameof(map));
        }
        Map = map;
        _ownsMap = ownsMap;
    }

    /// <summary>
    /// Makes a view that owns the map <paramref name="create"/> makes; closes that map again when the view cannot be
    /// made (wrong type or sizes), so a failed <c>Create</c> leaks no fd.
    /// </summary>
    private protected static TView Owning<TView>(Func<BpfMap> create, Func<BpfMap, TView> wrap) where TView : BpfMapView
    {
        BpfMap? map = create();
        try
        {
            var view = wrap(map);
            map = null; // the view owns it now
            return view;
        }
        finally
        {
            map?.Dispose();
        }
    }

    /// <summary>The underlying untyped map.</summary>
    public BpfMap Map { get; }

    /// <summary>Map type.</summary>
    public BpfMapType Type => Map.Type;

    /// <summary>Maximum number of entries.</summary>
    public uint MaxEntries => Map.MaxEntries;

    /// <summary>Throws when <typeparamref name="T"/> is not <paramref name="expected"/> bytes (aya-style expected vs actual).</summary>
    private protected static unsafe void CheckSize<T>(BpfMap map, string role, uint expected) where T : unmanaged
    {
        if ((uint)sizeof(T) != expected)
        {
            throw new ArgumentException(
                $"map '{map.Name}' ({map.Type}): {role} size mismatch: the map's {role} is {expected} bytes but {typeof(T).Name} is {sizeof(T)} bytes",
                nameof(map));
        }
    }

    /// <summary>Throws when the map's size for <paramref name="role"/> is not one of <paramref name="accepted"/>.</summary>
    private protected static void CheckSizeIn(BpfMap map, string role, uint actual, params ReadOnlySpan<uint> accepted)
    {
        if (!accepted.Contains(actual))
        {
            throw new ArgumentException(
                $"map '{map.Name}' ({map.Type}): {role} size mismatch: expected {string.Join(" or ", accepted.ToArray())} bytes, the map has {actual}",
                nameof(map));
        }
    }

    /// <summary>Throws <see cref="BpfException"/> for a failed update of this map.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private protected BpfException UpdateFailed(int errno) =>
        BpfException.FromErrno(Interop.BpfCommand.MapUpdateElem, errno, $"map '{Map.Name}'");

    /// <summary>Closes the map if this view owns it.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the map if this view owns it.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _ownsMap) Map.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name.Split('`')[0]} over {Map}";
}
