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

    /// <summary>One object for the run: a fixture under a resource name, with item metadata (Sluice's names, without the prefix).</summary>
    internal sealed record ObjectItem(string Fixture, string ResourceName, Dictionary<string, string> Metadata);

    internal static Output Generate(string fixture, string types = "") =>
        Generate([new ObjectItem(fixture, fixture + ".bpf.o", new() { ["SluiceBpfTypes"] = types })], new());

    /// <summary>
    /// Runs the generator over <paramref name="objects"/> with project properties <paramref name="properties"/> and the C
    /// <paramref name="sources"/> (fixture files) for comments; the output is every generated file, by hint name.
    /// </summary>
    internal static Output Generate(IEnumerable<ObjectItem> objects, Dictionary<string, string> properties, params string[] sources)
    {
        var files = new List<AdditionalText>();
        var fileOptions = new Dictionary<AdditionalText, AnalyzerConfigOptions>();
        foreach (var item in objects)
        {
            var text = new InMemoryText($"/obj/bpf/{item.ResourceName}.b64", Convert.ToBase64String(Fixture.Bytes(item.Fixture)));
            var metadata = item.Metadata.ToDictionary(m => "build_metadata.AdditionalFiles." + m.Key, m => m.Value);
            metadata["build_metadata.AdditionalFiles.SluiceBpfObject"] = "true";
            metadata["build_metadata.AdditionalFiles.SluiceBpfResourceName"] = item.ResourceName;
            files.Add(text);
            fileOptions[text] = new Options(metadata);
        }
        foreach (var cFile in sources)
        {
            var text = new InMemoryText(cFile, File.ReadAllText(RepositoryPaths.Of("tests", "Fixtures", cFile)));
            files.Add(text);
            fileOptions[text] = new Options(new() { ["build_metadata.AdditionalFiles.SluiceBpfSource"] = "true" });
        }
        var global = new Dictionary<string, string> { ["build_property.SluiceBpfNamespace"] = "Sluice.Fixtures" };
        foreach (var property in properties) global["build_property." + property.Key] = property.Value;
        var provider = new OptionsProvider(new Options(global), fileOptions);
        var compilation = CSharpCompilation.Create("GeneratorRun", [], References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new BpfObjectGenerator().AsSourceGenerator()], files, optionsProvider: provider);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var compiled, out var diagnostics);
        var generated = driver.GetRunResult().Results.Single().GeneratedSources;
        string source = generated.Length == 1 ? generated[0].SourceText.ToString()
            : string.Concat(generated.OrderBy(g => g.HintName, StringComparer.Ordinal).Select(g => $"// ===== {g.HintName}\n{g.SourceText}"));
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

    private sealed class InMemoryText(string path, string text) : AdditionalText
    {
        public override string Path => path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }

    private sealed class OptionsProvider(AnalyzerConfigOptions global, Dictionary<AdditionalText, AnalyzerConfigOptions> files) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions => global;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options([]);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => files[textFile];
    }
}
