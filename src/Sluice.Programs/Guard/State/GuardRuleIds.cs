namespace Sluice.Programs.Guard.State;

/// <summary>
/// Rule ids: a 32-bit FNV-1a hash of the rule's family, prefix, protocol and port (not the action). Stable: the same
/// rule gets the same id on every host, re-add and import re-run; ids are for display and may collide in huge sets.
/// </summary>
internal static class GuardRuleIds
{
    internal static uint Of(GuardRule rule)
    {
        Span<byte> bytes = stackalloc byte[16 + 4];
        rule.Source.BaseAddress.TryWriteBytes(bytes, out int length);
        bytes[length] = (byte)rule.Source.PrefixLength;
        bytes[length + 1] = rule.Protocol;
        bytes[length + 2] = (byte)(rule.Port >> 8);
        bytes[length + 3] = (byte)rule.Port;
        uint hash = 2166136261;
        foreach (byte b in bytes[..(length + 4)])
        {
            hash ^= b;
            hash *= 16777619;
        }
        return hash == 0 ? 1 : hash;
    }
}
