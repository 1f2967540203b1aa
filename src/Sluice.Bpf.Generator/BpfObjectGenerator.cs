using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Sluice.Bpf.Object;

namespace Sluice.Bpf.Generator;

/// <summary>
/// For each BPF object the build hands over (AdditionalFiles with SluiceBpfObject="true", base64 of the .o),
/// generates a typed class: see <see cref="ObjectClassWriter"/>. Reading uses the object layer's own reader, so the
/// generator and the loader agree on every map, program and variable.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class BpfObjectGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var rootNamespace = context.AnalyzerConfigOptionsProvider.Select((options, _) =>
            options.GlobalOptions.TryGetValue("build_property.SluiceBpfNamespace", out var ns) && ns.Length > 0 ? ns
            : options.GlobalOptions.TryGetValue("build_property.RootNamespace", out var root) && root.Length > 0 ? root
            : null);
        var objects = context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select((pair, cancellation) => ObjectInput.From(pair.Left, pair.Right.GetOptions(pair.Left), cancellation))
            .Where(input => input is not null)
            .Select((input, _) => input!);
        context.RegisterSourceOutput(objects.Combine(rootNamespace), static (output, pair) => Generate(output, pair.Left, pair.Right));
    }

    private static void Generate(SourceProductionContext output, ObjectInput input, string? ns)
    {
        ObjectSpec spec;
        try
        {
            spec = ObjectReader.Read(Convert.FromBase64String(input.Base64), input.ResourceName);
        }
        catch (Exception error) when (error is BpfObjectException or FormatException)
        {
            output.ReportDiagnostic(Diagnostic.Create(GeneratorDiagnostics.UnreadableObject, Location.None, input.ResourceName, error.Message));
            return;
        }
        string source = ObjectClassWriter.Write(spec, input, ns, output.ReportDiagnostic);
        output.AddSource(input.ClassName + ".g.cs", SourceText.From(source, System.Text.Encoding.UTF8));
    }
}
