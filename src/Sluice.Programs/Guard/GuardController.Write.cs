using Sluice.Bpf;
using Sluice.Programs.Guard.Model;
using Sluice.Programs.Guard.State;

namespace Sluice.Programs.Guard;

/// <summary>
/// The one write path of the guard (Guard/README.md, "Writers"): every change (add, remove, import, apply, settings)
/// runs inside <see cref="Write{T}"/>, which holds the guard's writer lock across reading the installed state,
/// validating, the lock-out check, the writes and the configuration flip, and undoes a failed change from its
/// write-ahead journal. So concurrent writers in any processes equal some serial order, and a writer that dies
/// mid-way leaves a journal the next writer undoes before it starts.
/// </summary>
public sealed partial class GuardController
{
    /// <summary>How long a writer (or detach) waits for another writer of the same guard to finish.</summary>
    internal static readonly TimeSpan WriterWait = TimeSpan.FromSeconds(60);

    /// <summary>Test hook: called at each step of a change ("flags", "add", "remove", "settings"); a throw there tests the rollback.</summary>
    internal Action<string>? ApplyStepHook { get; set; }

    /// <summary>
    /// Runs <paramref name="change"/> under the writer lock, after undoing what a dead writer left unfinished; on any
    /// failure undoes what <paramref name="change"/> wrote and rethrows (wrapped unless it is a guard error or a
    /// cancellation that left nothing to report).
    /// </summary>
    private T Write<T>(string what, Func<GuardWrite, T> change, CancellationToken cancellationToken = default)
    {
        using var held = EnterWriterLock(_pinLock, Target, cancellationToken);
        if (!IsCurrent)
            throw new GuardException(GuardFailure.NotAttached, $"the guard on {Target.Describe()} was detached while {what} waited: nothing was changed") { Target = Target };
        int leftOver = GuardWrite.Recover(Target, _tables, _slots);
        if (leftOver > 0)
            throw new GuardException(GuardFailure.PartiallyApplied, $"{leftOver} steps of an interrupted earlier change to {Target.Describe()} could not be undone: nothing was changed") { Target = Target };
        using var write = new GuardWrite(Target, _tables, _slots);
        try
        {
            var result = change(write);
            write.Commit();
            return result;
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            int failures = write.RollBack();
            if (failures == 0 && error is GuardException or OperationCanceledException) throw;
            string state = failures == 0 ? "nothing was changed" : $"{failures} undo steps failed too: check the guard's status";
            throw new GuardException(failures == 0 ? GuardFailure.KernelError : GuardFailure.PartiallyApplied,
                $"{what} failed; {state}", error) { Target = Target };
        }
    }

    /// <summary>Takes the writer lock of a guard's pin directory, or explains who holds it.</summary>
    internal static IDisposable EnterWriterLock(PinDirectoryLock pinLock, GuardTarget target, CancellationToken cancellationToken = default) =>
        pinLock.TryEnter(WriterWait, cancellationToken)
        ?? throw new GuardException(GuardFailure.Busy, $"another process has been changing the guard on {target.Describe()} for {WriterWait.TotalSeconds:0} s") { Target = target };

    /// <summary>The port-rule flags of the active configuration plus those <paramref name="rules"/> need, set before the rules are written.</summary>
    private static void RaisePortFlags(GuardWrite write, GuardConfigValue active, IEnumerable<GuardRule> rules)
    {
        var flags = active.Flags | GuardPolicyModel.PortRuleFlags(rules);
        // A port rule in a trie the program does not look at yet is harmless; a flag cleared while port rules exist
        // would make them silently inactive: so flags go up first and come down last.
        if ((flags & ConfigSlots.PortFlags) != (active.Flags & ConfigSlots.PortFlags)) write.SwitchPortFlags(flags);
    }

    private static GuardConfigValue WithFlags(GuardConfigValue value, GuardConfigFlags flags)
    {
        value.Flags = flags;
        return value;
    }
}
