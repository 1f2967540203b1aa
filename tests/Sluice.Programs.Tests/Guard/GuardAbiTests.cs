using System.Runtime.CompilerServices;
using Sluice.Bpf;
using Sluice.Bpf.Object;
using Sluice.Programs.Guard;
using Xunit;

namespace Sluice.Programs.Tests.Guard;

/// <summary>The C# mirrors in Guard/Abi must have the sizes the compiled objects' BTF gives the C structs.</summary>
public sealed class GuardAbiTests
{
    public static TheoryData<string> Objects => new() { GuardMapNames.XdpObject, GuardMapNames.TcObject };

    [Theory]
    [MemberData(nameof(Objects))]
    public void Struct_sizes_match_the_objects_btf(string objectName)
    {
        var btf = EmbeddedObjects.Read(objectName).Btf ?? throw new InvalidOperationException($"{objectName} has no BTF");
        AssertSize(btf, "guard_rule", Unsafe.SizeOf<GuardRuleValue>());
        AssertSize(btf, "guard_config", Unsafe.SizeOf<GuardConfigValue>());
        AssertSize(btf, "guard_source", Unsafe.SizeOf<GuardSourceState>());
        AssertSize(btf, "guard_counter", Unsafe.SizeOf<GuardCounter>());
        AssertSize(btf, "guard_port_prefix_v4", Unsafe.SizeOf<LpmKey<GuardPortDataV4>>());
        AssertSize(btf, "guard_port_prefix_v6", Unsafe.SizeOf<LpmKey<GuardPortDataV6>>());
        AssertSize(btf, "guard_prefix_v4", Unsafe.SizeOf<LpmKey<uint>>());
        AssertSize(btf, "guard_prefix_v6", Unsafe.SizeOf<LpmKey<IPv6Bytes>>());
        AssertSize(btf, "guard_conn_source", Unsafe.SizeOf<GuardConnectionSource>());
        AssertSize(btf, "guard_flow_key", Unsafe.SizeOf<GuardFlowKey>());
        AssertSize(btf, "guard_flow", Unsafe.SizeOf<GuardFlow>());
    }

    [Fact]
    public void Every_map_the_controller_names_exists_in_both_objects()
    {
        string[] maps =
        [
            GuardMapNames.Rules4, GuardMapNames.Rules6, GuardMapNames.Exact4, GuardMapNames.Exact6, GuardMapNames.Ports4,
            GuardMapNames.Ports6, GuardMapNames.Config, GuardMapNames.ConfigSelect, GuardMapNames.Sources, GuardMapNames.Stats,
            GuardMapNames.Events, GuardMapNames.Connections, GuardMapNames.Flows, GuardMapNames.Blocks,
        ];
        foreach (var objectName in new[] { GuardMapNames.XdpObject, GuardMapNames.TcObject })
        {
            var spec = EmbeddedObjects.Read(objectName);
            foreach (var map in maps)
                Assert.True(spec.Maps.Exists(m => m.Name == map), $"{objectName} lacks map {map}");
        }
    }

    private static void AssertSize(BtfSpec btf, string structName, int managedSize)
    {
        var type = btf.FindType(structName, BtfKind.Struct);
        // Every struct checked here is a map key or value type, so both objects' BTF must describe it.
        Assert.True(type is not null, $"struct {structName} is not in the object's BTF");
        Assert.True(type.Size == (uint)managedSize, $"struct {structName}: BTF {type.Size} bytes, C# mirror {managedSize}");
    }
}
