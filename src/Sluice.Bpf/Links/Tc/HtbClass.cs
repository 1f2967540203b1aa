namespace Sluice.Bpf;

/// <summary>One htb class: a guaranteed rate, a ceiling it may borrow up to, a burst and a priority for spare bandwidth.</summary>
/// <param name="ClassId">major:minor as one number (major &lt;&lt; 16 | minor), e.g. 0x0001_0010 for 1:10.</param>
/// <param name="ParentId">The parent: the qdisc's handle (major:0) or another class.</param>
/// <param name="RateBytesPerSecond">Guaranteed rate.</param>
/// <param name="CeilBytesPerSecond">Ceiling (at least the rate).</param>
/// <param name="BurstBytes">Bytes that may leave at once at the rate (and at the ceiling).</param>
/// <param name="Priority">0 is served first when classes borrow spare bandwidth (0..7).</param>
public sealed record HtbClass(uint ClassId, uint ParentId, ulong RateBytesPerSecond, ulong CeilBytesPerSecond, uint BurstBytes, uint Priority = 0);
