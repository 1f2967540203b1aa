namespace Sluice.Bpf;

/// <summary>
/// Where a batched lookup (BPF_MAP_LOOKUP_BATCH / LOOKUP_AND_DELETE_BATCH) resumes. Start with a new cursor, call
/// the lookup until <see cref="IsDone"/>; reuse one cursor for one walk of one map only.
/// </summary>
/// <remarks>
/// The kernel's position token is opaque and its shape depends on the map: hash maps write a 4-byte bucket index,
/// arrays and other maps write the last key. The cursor keeps a buffer at least as large as either
/// (key size rounded up to 8, never under 8 bytes), so it is valid for any map.
/// </remarks>
public sealed class MapBatchCursor
{
    private byte[] _token = [];

    /// <summary>True once the kernel reported the end of the map (ENOENT).</summary>
    public bool IsDone { get; internal set; }

    /// <summary>True after the first call: later calls pass the token back as in_batch.</summary>
    internal bool Started { get; set; }

    /// <summary>Starts over from the beginning of the map.</summary>
    public void Reset()
    {
        IsDone = false;
        Started = false;
    }

    internal byte[] Token(uint keySize)
    {
        int size = Math.Max(8, (int)((keySize + 7) & ~7u));
        if (_token.Length < size) _token = new byte[size];
        return _token;
    }
}
