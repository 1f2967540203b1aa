using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Programs.Guard.State;

/// <summary>
/// One change to a guard's maps, made under the guard's writer lock, with a write-ahead undo log: before a rule or
/// the configuration is overwritten, its old value is appended (and flushed to the kernel) to a journal file. A
/// change that fails is undone from the journal in this process; one whose process died (kill -9, power of the
/// process, not of the machine) is undone by the next writer, which finds the journal when it takes the lock. So
/// every change is all or nothing as the next writer sees it.
/// </summary>
/// <remarks>
/// The journal lives in /run/sluice/guard-journal/ (tmpfs: bpffs holds no regular files, and both vanish on reboot),
/// named by a hash of the pin directory. Lines: <c>rule PREFIX PROTO PORT ACTION OLD</c> (OLD = hex of the old
/// guard_rule value, or - when absent) and <c>config OLD</c> (hex of the configuration before the first switch).
/// </remarks>
internal sealed class GuardWrite : IDisposable
{
    private const string JournalDirectory = "/run/sluice/guard-journal";
    private readonly RuleTables _tables;
    private readonly ConfigSlots _slots;
    private readonly string _path;
    private StreamWriter? _journal;
    private bool _configLogged;

    internal GuardWrite(GuardTarget target, RuleTables tables, ConfigSlots slots)
    {
        _tables = tables;
        _slots = slots;
        _path = JournalPath(target);
    }

    /// <summary>The journal of <paramref name="target"/>'s unfinished change, if any.</summary>
    internal static string JournalPath(GuardTarget target)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(target.PinDirectory)));
        return Path.Combine(JournalDirectory, Convert.ToHexStringLower(hash.AsSpan(0, 12)) + ".undo");
    }

    /// <summary>Writes <paramref name="rule"/> (its old value logged first).</summary>
    internal void Put(GuardRule rule)
    {
        var table = _tables.For(rule);
        LogRule(rule, table.TryGet(rule, out var old) ? old : null);
        Flush();
        table.Put(rule, RuleTable.ValueOf(rule));
    }

    /// <summary>Deletes <paramref name="rule"/> if installed (its old value logged first); false when it was not.</summary>
    internal bool Delete(GuardRule rule)
    {
        var table = _tables.For(rule);
        if (!table.TryGet(rule, out var old)) return false;
        LogRule(rule, old);
        Flush();
        return table.Delete(rule);
    }

    /// <summary>Writes rules known to be absent from <paramref name="table"/> in one batch (logged as absent first).</summary>
    internal void PutAbsent(RuleTable table, ReadOnlySpan<GuardRule> rules, ReadOnlySpan<GuardRuleValue> values)
    {
        foreach (var rule in rules) LogRule(rule, null);
        Flush();
        table.PutBatch(rules, values);
    }

    /// <summary>Makes <paramref name="value"/> the active configuration (the one before the first switch is logged).</summary>
    internal void Switch(GuardConfigValue value)
    {
        if (!_configLogged)
        {
            Journal().WriteLine($"config {Hex(_slots.Active)}");
            Flush();
            _configLogged = true;
        }
        _slots.Switch(value);
    }

    /// <summary>The active configuration with the given port-rule flags, generation bumped.</summary>
    internal void SwitchPortFlags(GuardConfigFlags portFlags)
    {
        var value = _slots.Active;
        value.Flags = (value.Flags & ~ConfigSlots.PortFlags) | (portFlags & ConfigSlots.PortFlags);
        value.Generation++;
        Switch(value);
    }

    /// <summary>Re-writes the active configuration with the generation bumped (every change shows in status).</summary>
    internal void BumpGeneration()
    {
        var value = _slots.Active;
        value.Generation++;
        Switch(value);
    }

    /// <summary>The change is complete: the journal goes.</summary>
    internal void Commit()
    {
        _journal?.Dispose();
        _journal = null;
        File.Delete(_path);
    }

    /// <summary>Undoes everything this change did (from its journal), newest first; the number of undo steps that failed.</summary>
    internal int RollBack()
    {
        _journal?.Dispose();
        _journal = null;
        return Recover(_path, _tables, _slots);
    }

    /// <summary>
    /// Undoes the unfinished change a dead writer left in <paramref name="target"/>'s journal, if any (call with the
    /// writer lock held). Returns the undo steps that failed (0 when all went well or there was nothing to undo).
    /// </summary>
    internal static int Recover(GuardTarget target, RuleTables tables, ConfigSlots slots) => Recover(JournalPath(target), tables, slots);

    /// <summary>Removes a journal (the guard it belonged to is gone).</summary>
    internal static void Forget(GuardTarget target) => File.Delete(JournalPath(target));

    private static int Recover(string path, RuleTables tables, ConfigSlots slots)
    {
        if (!File.Exists(path)) return 0;
        var lines = File.ReadAllLines(path);
        int failures = 0;
        GuardConfigValue? config = null;
        for (int i = lines.Length - 1; i >= 0; i--)
        {
            var words = lines[i].Split(' ');
            try
            {
                if (words is ["config", var hex]) config = FromHex<GuardConfigValue>(hex);
                else if (words is ["rule", var prefix, var protocol, var port, var action, var old]) UndoRule(tables, prefix, protocol, port, action, old);
                // Anything else is the torn last line of a writer killed while logging: its map write never happened.
            }
            catch (Exception error) when (error is Sluice.Bpf.BpfException or FormatException or ArgumentException)
            {
                failures++;
            }
        }
        if (config is { } before)
        {
            // Back to the settings and flags from before the change, with a generation that still moves forward.
            before.Generation = Math.Max(before.Generation, slots.Active.Generation) + 1;
            slots.Switch(before);
        }
        File.Delete(path);
        return failures;
    }

    private static void UndoRule(RuleTables tables, string prefix, string protocol, string port, string action, string old)
    {
        var rule = new GuardRule(IPNetwork.Parse(prefix), action == "allow" ? GuardRuleAction.Allow : GuardRuleAction.Deny,
            byte.Parse(protocol, CultureInfo.InvariantCulture), ushort.Parse(port, CultureInfo.InvariantCulture));
        var table = tables.For(rule);
        if (old == "-") table.Delete(rule);
        else table.Put(rule, FromHex<GuardRuleValue>(old));
    }

    private void LogRule(GuardRule rule, GuardRuleValue? old)
    {
        var journal = Journal();
        journal.Write("rule ");
        journal.Write(rule.Source.ToString());
        journal.Write(string.Create(CultureInfo.InvariantCulture, $" {rule.Protocol} {rule.Port} "));
        journal.Write(rule.Action == GuardRuleAction.Allow ? "allow " : "deny ");
        journal.WriteLine(old is { } value ? Hex(value) : "-");
    }

    private StreamWriter Journal()
    {
        if (_journal is not null) return _journal;
        // Only root reads or writes undo logs: they name what the next writer will put into the maps.
        if (OperatingSystem.IsLinux()) Directory.CreateDirectory(JournalDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _journal = new StreamWriter(new FileStream(_path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16));
        return _journal;
    }

    /// <summary>Hands the logged lines to the kernel before the map write they protect (survives the process, not a reboot).</summary>
    private void Flush() => _journal?.Flush();

    private static string Hex<T>(T value) where T : unmanaged =>
        Convert.ToHexString(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));

    private static T FromHex<T>(string hex) where T : unmanaged => MemoryMarshal.Read<T>(Convert.FromHexString(hex));

    public void Dispose() => _journal?.Dispose();
}
