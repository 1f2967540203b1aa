using System.Diagnostics;
using Sluice.Programs.Guard.Model;
using Sluice.Programs.Guard.State;

namespace Sluice.Programs.Guard;

public sealed partial class GuardController
{
    /// <summary>Entries per BPF_MAP_UPDATE_BATCH call of an import (progress and cancellation are checked between calls).</summary>
    private const int ImportChunk = 1 << 15;

    /// <summary>Above this many rules for one map, its installed entries are read in batches instead of looked up one by one.</summary>
    private const int ReadAllThreshold = 4096;

    /// <summary>
    /// Bulk-adds rules (a 1,000,000-prefix blocklist): validates and dedupes them, groups them per map, skips those
    /// installed already (their counters stay), checks that the rest fit in their maps, sets the port-rule flags
    /// first, then writes with BPF_MAP_UPDATE_BATCH. The guard is consistent at every instant; the import is all or
    /// nothing (a failure or cancellation undoes what it wrote), under the guard's writer lock.
    /// </summary>
    /// <exception cref="GuardConflictException">A rule conflicts with another or an installed one (nothing written).</exception>
    /// <exception cref="GuardLockoutException">The rules would drop an SSH session (<see cref="GuardLockout.FindSessions"/>; unless <paramref name="force"/>).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; what was written is undone.</exception>
    public GuardImportResult Import(IEnumerable<GuardRule> rules, IProgress<GuardImportProgress>? progress = null,
        CancellationToken cancellationToken = default, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var clock = Stopwatch.StartNew();
        var batch = RuleBatch.Create(rules, cancellationToken,
            progress is null ? null : read => progress.Report(new GuardImportProgress(read, 0, 0, clock.Elapsed)));
        var groups = Group(batch.Rules, _tables.All.Count);
        return Write("the import", write =>
        {
            long unchanged = 0;
            var fresh = new List<GuardRule>[groups.Length];
            for (int i = 0; i < groups.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var table = _tables.All[i];
                int installed = -1;
                (fresh[i], int same) = groups[i].Count > ReadAllThreshold ? SplitByReading(table, groups[i], out installed) : SplitInstalled(groups[i]);
                unchanged += same;
                if (fresh[i].Count > 0) CheckCapacity(table, fresh[i].Count, installed >= 0 ? installed : table.Count());
            }
            var all = new List<GuardRule>(fresh.Sum(list => list.Count));
            foreach (var list in fresh) all.AddRange(list);
            long total = all.Count;
            var active = _slots.Active;
            CheckLockout(all, WithFlags(active, active.Flags | GuardPolicyModel.PortRuleFlags(all)), force, "this import");
            progress?.Report(new GuardImportProgress(batch.Read, 0, total, clock.Elapsed));
            if (total == 0) return new GuardImportResult(batch.Read, batch.Duplicates, 0, unchanged, clock.Elapsed);

            RaisePortFlags(write, active, all);
            long written = 0;
            for (int i = 0; i < fresh.Length; i++)
            {
                var table = _tables.All[i];
                var list = fresh[i];
                var values = new GuardRuleValue[Math.Min(ImportChunk, list.Count)];
                for (int start = 0; start < list.Count; start += ImportChunk)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int length = Math.Min(ImportChunk, list.Count - start);
                    for (int j = 0; j < length; j++) values[j] = RuleTable.ValueOf(list[start + j]);
                    write.PutAbsent(table, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list).Slice(start, length), values.AsSpan(0, length));
                    written += length;
                    progress?.Report(new GuardImportProgress(batch.Read, written, total, clock.Elapsed));
                }
            }
            write.BumpGeneration();
            return new GuardImportResult(batch.Read, batch.Duplicates, written, unchanged, clock.Elapsed);
        }, cancellationToken);
    }

    /// <summary>The rules per table; counted first so that no list grows (and re-copies) a million entries.</summary>
    private static List<GuardRule>[] Group(List<GuardRule> rules, int tables)
    {
        var counts = new int[tables];
        foreach (var rule in rules) counts[(int)RuleTable.KindOf(rule)]++;
        var groups = new List<GuardRule>[tables];
        for (int i = 0; i < tables; i++) groups[i] = new List<GuardRule>(counts[i]);
        foreach (var rule in rules) groups[(int)RuleTable.KindOf(rule)].Add(rule);
        return groups;
    }

    /// <summary>Refuses, before anything is written, an import whose new rules do not fit in their map.</summary>
    private static void CheckCapacity(RuleTable table, int adding, int installed)
    {
        var (name, capacity) = table.Capacity;
        if (installed + (long)adding <= capacity) return;
        throw new GuardException(
            $"the import does not fit: {adding} new rules for {name}, which holds {installed} of at most {capacity}; nothing was written");
    }

    /// <summary>Like <see cref="SplitInstalled"/> for many rules: reads the whole map once in batches.</summary>
    private static (List<GuardRule> Fresh, int Unchanged) SplitByReading(RuleTable table, List<GuardRule> rules, out int installedCount)
    {
        var installed = table.ReadAll();
        installedCount = installed.Count;
        if (installed.Count == 0) return (rules, 0);
        var actions = new Dictionary<PackedRuleKey, GuardRuleAction>(installed.Count);
        foreach (var (rule, value) in installed) actions[PackedRuleKey.Of(rule)] = RuleTable.ActionOf(value);
        var fresh = new List<GuardRule>();
        int unchanged = 0;
        foreach (var rule in rules)
        {
            if (!actions.TryGetValue(PackedRuleKey.Of(rule), out var action)) fresh.Add(rule);
            else if (action == rule.Action) unchanged++;
            else throw Conflict(rule, action);
        }
        return (fresh, unchanged);
    }
}
