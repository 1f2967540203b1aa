using System.Buffers.Binary;

namespace Sluice.Programs.Guard.State;

/// <summary>
/// A rule's prefix and scope packed into 20 bytes for hashing (the same identity as <see cref="GuardRuleKey"/>, which
/// hashes through IPAddress): dedupe and installed-rule checks of a million-rule import use it.
/// </summary>
internal readonly record struct PackedRuleKey(UInt128 Address, uint Meta)
{
    internal static PackedRuleKey Of(GuardRule rule)
    {
        Span<byte> bytes = stackalloc byte[16];
        rule.Source.BaseAddress.TryWriteBytes(bytes, out int length);
        var address = length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
        uint meta = (length == 16 ? 1u << 31 : 0) | (uint)rule.Source.PrefixLength << 24 | (uint)rule.Protocol << 16 | rule.Port;
        return new PackedRuleKey(address, meta);
    }
}
