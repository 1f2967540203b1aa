using System.Collections;

namespace Sluice.Bpf;

/// <summary>
/// The keys of a map, walked with BPF_MAP_GET_NEXT_KEY. Each enumeration starts from the first key and allocates
/// nothing per key.
/// </summary>
/// <remarks>
/// Deleting during enumeration is allowed. If the current key disappears (deleted by you, by a program, or evicted
/// from an LRU map), the kernel continues from its first key again: hash maps then restart, so keys may repeat, but
/// deleting each key as you visit it still ends the walk. To stop a concurrently churning map from restarting
/// forever, an enumeration yields at most 4 × max_entries + 1024 keys and then throws
/// <see cref="InvalidOperationException"/>.
/// </remarks>
public sealed class MapKeys<TKey> : IEnumerable<TKey> where TKey : unmanaged
{
    private readonly BpfMap _map;

    internal MapKeys(BpfMap map) => _map = map;

    /// <summary>Starts a walk from the first key.</summary>
    public Enumerator GetEnumerator() => new(_map);

    IEnumerator<TKey> IEnumerable<TKey>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Walks the keys one bpf() call per step.</summary>
    public sealed class Enumerator : IEnumerator<TKey>
    {
        private readonly BpfMap _map;
        private readonly long _limit;
        private TKey _current;
        private bool _started;
        private bool _finished;
        private long _yielded;

        internal Enumerator(BpfMap map)
        {
            _map = map;
            _limit = 4L * map.MaxEntries + 1024;
        }

        /// <summary>The key at the current position.</summary>
        public TKey Current => _current;

        object IEnumerator.Current => _current;

        /// <summary>Advances to the next key; false at the end.</summary>
        public unsafe bool MoveNext()
        {
            if (_finished) return false;
            TKey next;
            bool found;
            fixed (TKey* current = &_current)
            {
                found = _map.GetNextKeyCore(_started ? current : null, &next);
            }
            _started = true;
            if (!found)
            {
                _finished = true;
                return false;
            }
            if (++_yielded > _limit)
            {
                _finished = true;
                throw new InvalidOperationException(
                    $"map '{_map.Name}': key walk restarted too often (over {_limit} keys); entries are being deleted concurrently");
            }
            _current = next;
            return true;
        }

        /// <summary>Restarts from the first key.</summary>
        public void Reset()
        {
            _started = _finished = false;
            _yielded = 0;
        }

        /// <summary>Nothing to release.</summary>
        public void Dispose()
        {
        }
    }
}
