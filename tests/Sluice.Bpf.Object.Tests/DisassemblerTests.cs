using Sluice.Bpf.Object;
using Xunit;

namespace Sluice.Bpf.Object.Tests;

/// <summary>The kernel's / bpftool's instruction notation for every instruction class.</summary>
public class DisassemblerTests
{
    private static BpfInstruction I(byte opcode, byte dst = 0, byte src = 0, short off = 0, int imm = 0)
    {
        var insn = new BpfInstruction { Opcode = opcode, Offset = off, Immediate = imm };
        insn.DestinationRegister = dst;
        insn.SourceRegister = src;
        return insn;
    }

    [Theory]
    [InlineData(0xb7, 0, 0, 0, 2, "(b7) r0 = 2")]
    [InlineData(0xb4, 1, 0, 0, -3, "(b4) w1 = -3")]
    [InlineData(0xbf, 1, 6, 0, 0, "(bf) r1 = r6")]
    [InlineData(0xbf, 1, 2, 16, 0, "(bf) r1 = (s16)r2")]
    [InlineData(0xbf, 0, 0, -1, 0, "(bf) r0 = r0")]
    [InlineData(0x07, 4, 0, 0, -16, "(07) r4 += -16")]
    [InlineData(0x1f, 3, 2, 0, 0, "(1f) r3 -= r2")]
    [InlineData(0x67, 0, 0, 0, 32, "(67) r0 <<= 32")]
    [InlineData(0xc7, 0, 0, 0, 32, "(c7) r0 s>>= 32")]
    [InlineData(0x3f, 1, 2, 1, 0, "(3f) r1 s/= r2")]
    [InlineData(0x87, 3, 0, 0, 0, "(87) r3 = -r3")]
    [InlineData(0xdc, 2, 0, 0, 16, "(dc) r2 = be16 r2")]
    [InlineData(0xd4, 2, 0, 0, 64, "(d4) r2 = le64 r2")]
    [InlineData(0xd7, 2, 0, 0, 32, "(d7) r2 = bswap32 r2")]
    [InlineData(0x61, 2, 1, 4, 0, "(61) r2 = *(u32 *)(r1 +4)")]
    [InlineData(0x91, 2, 1, -2, 0, "(91) r2 = *(s8 *)(r1 -2)")]
    [InlineData(0x7b, 10, 2, -16, 0, "(7b) *(u64 *)(r10 -16) = r2")]
    [InlineData(0x62, 10, 0, -4, 7, "(62) *(u32 *)(r10 -4) = 7")]
    [InlineData(0xdb, 0, 1, 8, 0x00, "(db) lock *(u64 *)(r0 +8) += r1")]
    [InlineData(0xc3, 0, 1, 0, 0x50, "(c3) lock *(u32 *)(r0 +0) &= r1")]
    [InlineData(0xdb, 3, 2, 0, 0x01, "(db) r2 = atomic64_fetch_add((u64 *)(r3 +0), r2)")]
    [InlineData(0xdb, 3, 2, 0, 0xe1, "(db) r2 = atomic64_xchg((u64 *)(r3 +0), r2)")]
    [InlineData(0xc3, 3, 2, 0, 0xf1, "(c3) r0 = atomic_cmpxchg((u32 *)(r3 +0), r0, r2)")]
    [InlineData(0x30, 0, 0, 0, 12, "(30) r0 = *(u8 *)skb[12]")]
    [InlineData(0x15, 0, 0, 2, 0, "(15) if r0 == 0x0 goto pc+2")]
    [InlineData(0x55, 1, 0, -18, 7, "(55) if r1 != 0x7 goto pc-18")]
    [InlineData(0x1d, 1, 0, 2, 0, "(1d) if r1 == r0 goto pc+2")]
    [InlineData(0xa6, 1, 0, 3, -1, "(a6) if w1 < 0xffffffff goto pc+3")]
    [InlineData(0xcd, 1, 2, 1, 0, "(cd) if r1 s< r2 goto pc+1")]
    [InlineData(0x05, 0, 0, -25, 0, "(05) goto pc-25")]
    [InlineData(0x06, 0, 0, 0, 70000, "(06) gotol pc+70000")]
    [InlineData(0x95, 0, 0, 0, 0, "(95) exit")]
    [InlineData(0x85, 0, 1, 0, 5, "(85) call pc+5")]
    [InlineData(0x85, 0, 0, 0, 1, "(85) call unknown#1")]
    public void Single_slot_instructions(int opcode, int dst, int src, int off, int imm, string expected)
    {
        BpfInstruction[] program = [I((byte)opcode, (byte)dst, (byte)src, (short)off, imm)];
        Assert.Equal(expected, BpfDisassembler.Format(program, 0, null, out int slots));
        Assert.Equal(1, slots);
    }

    [Theory]
    [InlineData(1, 12, 0, "(18) r1 = map[id:12]")]
    [InlineData(2, 7, 8, "(18) r1 = map[id:7][0]+8")]
    [InlineData(4, 40, 0, "(18) r1 = subprog[+40]")]
    [InlineData(5, 3, 0, "(18) r1 = map[idx:3]")]
    [InlineData(0, -1, 0, "(18) r1 = 0xffffffff")]
    [InlineData(0, 0x28, 1, "(18) r1 = 0x100000028")]
    public void Load_immediate_64_takes_two_slots(int src, int imm, int next, string expected)
    {
        BpfInstruction[] program = [I(0x18, 1, (byte)src, 0, imm), I(0, 0, 0, 0, next)];
        Assert.Equal(expected, BpfDisassembler.Format(program, 0, null, out int slots));
        Assert.Equal(2, slots);
    }

    [Fact]
    public void Call_names_come_from_the_caller()
    {
        BpfInstruction[] program = [I(0x85, 0, 0, 0, 281440)];
        Assert.Equal("(85) call bpf_get_current_pid_tgid#281440",
            BpfDisassembler.Format(program, 0, insn => $"bpf_get_current_pid_tgid#{insn.Immediate}", out _));
    }
}
