using System.Reflection;
using System.Runtime.CompilerServices;
using Sluice.Bpf;
using Sluice.Bpf.Object;
using Xunit;

namespace Sluice.Programs.Tests;

/// <summary>
/// The ABI types Sluice.Bpf.Generator wrote from the embedded objects' BTF ([BtfType] names each one's C type) have
/// the size BTF gives that C type in every object that declares it, and the objects that share one agree.
/// </summary>
public sealed class GeneratedAbiTests
{
    private static readonly Assembly Programs = typeof(EmbeddedObjects).Assembly;

    [Fact]
    public void Every_generated_type_has_its_BTF_size_in_every_object_that_declares_it()
    {
        var objects = Programs.GetManifestResourceNames().Where(n => n.EndsWith(".bpf.o", StringComparison.Ordinal))
            .ToDictionary(n => n, n => EmbeddedObjects.Read(n).Btf ?? throw new InvalidOperationException($"{n} has no BTF"));
        var mirrors = Programs.GetTypes().Where(t => t.GetCustomAttribute<BtfTypeAttribute>() is not null).ToList();

        // The apps' ABI is generated: a hand mirror coming back would drop out of this list.
        string[] expected = ["EchoCounter", "ForwardCounter", "ForwardConfigValue", "ForwardMode", "QosActionValue", "QosCounters",
            "QosClassName", "QosActionFlags", "ClassifierRuleValue", "ClassifierPrefix", "ClassifierConfig", "ClassifierSet",
            "ClassifierRoot4", "ClassifierChunk", "ClassifierDimensionWords", "ClassifierFields", "RateLimitConfig", "RateLimitValue", "RateLimitKeyValue", "RateLimitBucket", "RateLimitCounters",
            "RateLimitModeCode", "MirrorTargetValue", "MirrorCounters"];
        Assert.Empty(expected.Except(mirrors.Where(t => !t.IsNested).Select(t => t.Name)));

        foreach (var mirror in mirrors)
        {
            string cName = mirror.GetCustomAttribute<BtfTypeAttribute>()!.CName;
            int size = mirror.IsEnum ? SizeOf(Enum.GetUnderlyingType(mirror)) : SizeOf(mirror);
            int declared = 0;
            foreach (var (objectName, btf) in objects)
            {
                foreach (var type in btf.Types.Where(t => t.Kind is BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Enum64 && btf.TypeName(t.Id) == cName))
                {
                    declared++;
                    Assert.True(type.Size == (uint)size, $"{cName} in {objectName}: BTF {type.Size} bytes, C# {mirror.FullName} {size}");
                }
            }
            Assert.True(declared > 0, $"{mirror.FullName} mirrors {cName}, which no embedded object declares");
        }
    }

    private static int SizeOf(Type type) =>
        (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;
}
