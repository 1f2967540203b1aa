extern alias GeneratorAssembly;
using System.Collections.Immutable;
using GeneratorAssembly::Sluice.Bpf.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Sluice.Tests;

namespace Sluice.Bpf.Generator.Tests;

/// <summary>Runs the generator in memory on a fixture object, as the build would, and compiles its output.</summary>
internal static class GeneratorRun
{
    internal sealed record Output(string Source, ImmutableArray<Diagnostic> GeneratorDiagnostics, ImmutableArray<Diagnostic> CompileErrors);

    internal static Output Generate(string fixture, string types = "")
    {
        var text = new Base64Text($"/obj/bpf/{fixture}.bpf.o.b64", Convert.ToBase64String(Fixture.Bytes(fixture)));
        var options = new Options(new Dictionary<string, string>
        {
            ["build_metadata.AdditionalFiles.SluiceBpfObject"] = "true",
            ["build_metadata.AdditionalFiles.SluiceBpfResourceName"] = fixture + ".bpf.o",
            ["build_metadata.AdditionalFiles.SluiceBpfTypes"] = types,
        });
        var provider = new OptionsProvider(new Options(new Dictionary<string, string> { ["build_property.SluiceBpfNamespace"] = "Sluice.Fixtures" }), options);
        var compilation = CSharpCompilation.Create("GeneratorRun", [], References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new BpfObjectGenerator().AsSourceGenerator()], [text], optionsProvider: provider);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var compiled, out var diagnostics);
        var generated = driver.GetRunResult().Results.Single().GeneratedSources;
        string source = generated.Length == 0 ? "" : generated[0].SourceText.ToString();
        var errors = compiled.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
        return new Output(source, diagnostics, errors);
    }

    private static List<MetadataReference> References()
    {
        // The generator's own copy of the object layer would clash with Sluice.Bpf.Object: leave it out.
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith("Sluice.", StringComparison.Ordinal)).ToList();
        paths.Add(typeof(BpfCollection).Assembly.Location);
        paths.Add(typeof(Sluice.Bpf.Object.ObjectSpec).Assembly.Location);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
    }

    private sealed class Base64Text(string path, string text) : AdditionalText
    {
        public override string Path => path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }

    private sealed class OptionsProvider(AnalyzerConfigOptions global, AnalyzerConfigOptions file) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions => global;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options([]);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => file;
    }
}
