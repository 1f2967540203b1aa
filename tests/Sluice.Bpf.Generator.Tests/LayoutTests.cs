using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sluice.Bpf.Object;
using Sluice.Fixtures;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Generator.Tests;

/// <summary>
/// The structs the build generated for every fixture (this project runs the generator as an analyzer) have the
/// size of their BTF type, and every field sits at its BTF member's offset.
/// </summary>
public class LayoutTests
{
    public static TheoryData<Type> ObjectClasses => [.. typeof(GenLayoutObject).Assembly.GetTypes()
        .Where(t => t.Namespace == "Sluice.Fixtures" && t.IsClass && t.Name.EndsWith("Object", StringComparison.Ordinal) && !t.IsNested)
        .OrderBy(t => t.Name, StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(ObjectClasses))]
    public void Generated_structs_match_BTF_sizes_and_offsets(Type objectClass)
    {
        string resource = (string)objectClass.GetField("ResourceName")!.GetValue(null)!;
        var btf = ObjectReader.Read(Fixture.Path(resource[..^".bpf.o".Length])).Btf!;

        foreach (var type in objectClass.GetNestedTypes().Where(t => t.IsValueType && !t.IsEnum && t.IsExplicitLayout))
        {
            // Every mirror names its C type, so renamed mirrors are found too.
            string cName = type.GetCustomAttribute<BtfTypeAttribute>()?.CName
                ?? throw new Xunit.Sdk.XunitException($"{objectClass.Name}.{type.Name} has no [BtfType]");
            var btfType = btf.Types.FirstOrDefault(b => b.Kind is BtfKind.Struct or BtfKind.Union && btf.TypeName(b.Id) == cName)
                ?? throw new Xunit.Sdk.XunitException($"{objectClass.Name}.{type.Name}: no {cName} in the object's BTF");
            Assert.Equal((int)btfType.Size, SizeOf(type));
            var members = Flatten(btf, btfType, 0).ToList();
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                var member = members.Single(m => Same(m.Name, field.Name));
                Assert.Equal(0u, member.BitOffset % 8);
                Assert.Equal((int)(member.BitOffset / 8), field.GetCustomAttribute<FieldOffsetAttribute>()!.Value);
                Assert.Equal((int)btf.SizeOf(member.TypeId), SizeOf(field.FieldType));
            }
        }
    }

    [Fact]
    public void Every_fixture_with_maps_or_globals_got_a_class_and_gen_layout_got_all_its_types()
    {
        Assert.Contains(typeof(XdpCounterObject), ObjectClasses.Select(row => row.Data));
        string[] expected = ["FlowKey", "FlowStats", "PortRange", "Address", "Config", "Event", "AlertLevel", "Tiny", "OffsetSign", "Huge", "FlowFlags"];
        Assert.Empty(expected.Except(typeof(GenLayoutObject).GetNestedTypes().Select(t => t.Name)));
        Assert.True(typeof(GenLayoutObject.FlowFlags).IsDefined(typeof(FlagsAttribute), inherit: false), "enum flow_flags is not [Flags]");
        Assert.False(typeof(GenLayoutObject.AlertLevel).IsDefined(typeof(FlagsAttribute), inherit: false), "enum alert_level is [Flags]");
    }

    [Fact]
    public void Bitfields_read_and_write_the_bits_BTF_gives_them()
    {
        var stats = new GenLayoutObject.FlowStats { Priority = 5, Delta = -3 };
        stats.Urgent = 1;

        Assert.Equal(5u, stats.Priority);
        Assert.Equal(-3, stats.Delta);
        Assert.Equal(1u, stats.Urgent);
        var bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<GenLayoutObject.FlowStats>(in stats));
        // urgent is bit 768, priority bits 769-771, delta bits 772-783: 1 | 5 << 1 | (-3 & 0xfff) << 4.
        Assert.Equal(1 | (5 << 1) | ((-3 & 0xfff) << 4), bytes[96] | (bytes[97] << 8));
        Assert.Equal(0, bytes[98]);
    }

    [Fact]
    public void Arrays_are_inline_and_indexable()
    {
        var stats = new GenLayoutObject.FlowStats();
        stats.Matrix[1][2] = 7;
        stats.Ranges[1].High = 9;
        stats.Mac[5] = 0xff;

        Assert.Equal(7u, stats.Matrix[1][2]);
        Assert.Equal(9, stats.Ranges[1].High);
        var bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<GenLayoutObject.FlowStats>(in stats));
        Assert.Equal(7, bytes[32 + (((1 * 3) + 2) * 4)]);
        Assert.Equal(0xff, bytes[29]);
    }

    private static int SizeOf(Type type) =>
        (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;

    // "source_port" and "SourcePort" name the same member; anonymous members are flattened as the generator does.
    private static bool Same(string cName, string csharpName) =>
        string.Equals(cName.Replace("_", "", StringComparison.Ordinal), csharpName.TrimStart('@').Replace("_", "", StringComparison.Ordinal),
            StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<BtfMember> Flatten(BtfSpec btf, BtfType type, uint baseBits)
    {
        foreach (var member in type.Members)
        {
            if (member.Name.Length == 0 && btf.SkipQualifiers(member.TypeId) is { Kind: BtfKind.Struct or BtfKind.Union } inner)
            {
                foreach (var nested in Flatten(btf, inner, baseBits + member.BitOffset)) yield return nested;
                continue;
            }
            yield return member with { BitOffset = baseBits + member.BitOffset };
        }
    }
}
