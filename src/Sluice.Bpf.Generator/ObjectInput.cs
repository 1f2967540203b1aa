using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Sluice.Bpf.Generator;

/// <summary>
/// One BPF object handed to the generator: build/Sluice.Bpf.targets writes each compiled object as base64 text
/// (AdditionalFiles carry text, not bytes) and describes it with item metadata. A record of strings, so the
/// incremental pipeline skips unchanged objects. Empty option strings mean "the project's default".
/// </summary>
internal sealed record ObjectInput(
    string Path, string Base64, string ResourceName, string ClassName, EquatableList<string> ExtraTypes,
    string Namespace, string NestTypes, string Visibility, EquatableList<string> TypeNames, EquatableList<string> PublicTypes)
{
    internal const string Prefix = "build_metadata.AdditionalFiles.";

    /// <summary>The input for <paramref name="file"/>, or null when the file is not a BPF object item.</summary>
    internal static ObjectInput? From(AdditionalText file, AnalyzerConfigOptions options, CancellationToken cancellation)
    {
        if (!IsSet(options, "SluiceBpfObject")) return null;
        string text = file.GetText(cancellation)?.ToString() ?? "";
        string resource = Get(options, "SluiceBpfResourceName");
        string className = Get(options, "SluiceBpfClassName");
        resource = resource.Length == 0 ? System.IO.Path.GetFileNameWithoutExtension(file.Path) : resource;
        return new ObjectInput(file.Path, text.Trim(), resource,
            className.Length == 0 ? CSharpNames.ObjectClass(resource) : className, List(Get(options, "SluiceBpfTypes")),
            Get(options, "SluiceBpfItemNamespace"), Get(options, "SluiceBpfNestTypes"), Get(options, "SluiceBpfVisibility"),
            List(Get(options, "SluiceBpfTypeNames")), List(Get(options, "SluiceBpfPublicTypes")));
    }

    internal static bool IsSet(AnalyzerConfigOptions options, string metadata) =>
        options.TryGetValue(Prefix + metadata, out var flag) && string.Equals(flag, "true", StringComparison.OrdinalIgnoreCase);

    private static string Get(AnalyzerConfigOptions options, string metadata) =>
        options.TryGetValue(Prefix + metadata, out var value) ? value.Trim() : "";

    private static EquatableList<string> List(string text) =>
        new(text.Split([';', ','], StringSplitOptions.RemoveEmptyEntries).Select(t => t.Trim()).Where(t => t.Length > 0).ToImmutableArray());
}

/// <summary>The project-wide defaults (MSBuild properties) that objects' own metadata may override.</summary>
internal sealed record ProjectOptions(string? Namespace, bool NestTypes, bool Internal)
{
    internal static ProjectOptions From(AnalyzerConfigOptions global)
    {
        string? Property(string name) => global.TryGetValue("build_property." + name, out var value) && value.Trim().Length > 0 ? value.Trim() : null;
        return new ProjectOptions(Property("SluiceBpfNamespace") ?? Property("RootNamespace"),
            !string.Equals(Property("SluiceBpfNestTypes"), "false", StringComparison.OrdinalIgnoreCase),
            string.Equals(Property("SluiceBpfVisibility"), "internal", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>What <paramref name="input"/> gets: its own metadata where set, else these defaults.</summary>
    internal ObjectOptions For(ObjectInput input) => new(
        input.Namespace.Length > 0 ? input.Namespace : Namespace,
        input.NestTypes.Length > 0 ? !string.Equals(input.NestTypes, "false", StringComparison.OrdinalIgnoreCase) : NestTypes,
        input.Visibility.Length > 0 ? string.Equals(input.Visibility, "internal", StringComparison.OrdinalIgnoreCase) : Internal,
        input.TypeNames.Items.Select(pair => pair.Split('=')).Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0].Trim(), pair => pair[1].Trim(), StringComparer.Ordinal),
        new HashSet<string>(input.PublicTypes.Items, StringComparer.Ordinal));
}

/// <summary>
/// How one object is generated: its namespace; whether its C types are nested in the object class (the default,
/// so two objects never clash) or written beside it in the namespace (shared by every object of that namespace that
/// has them, the way bpf2go and aya-tool write package/module-level types); public or internal (then PublicTypes, C
/// names, are public anyway, with every type their fields use); and C type renames.
/// </summary>
internal sealed record ObjectOptions(
    string? Namespace, bool NestTypes, bool Internal, IReadOnlyDictionary<string, string> TypeNames, ISet<string> PublicTypes)
{
    internal string Access => Internal ? "internal" : "public";
}

/// <summary>A C source or header (AdditionalFiles with SluiceBpfSource="true"): read only for its comments.</summary>
internal sealed record SourceInput(string Path, string Text)
{
    internal static SourceInput? From(AdditionalText file, AnalyzerConfigOptions options, CancellationToken cancellation) =>
        ObjectInput.IsSet(options, "SluiceBpfSource") ? new SourceInput(file.Path, file.GetText(cancellation)?.ToString() ?? "") : null;
}

/// <summary>An immutable list compared by its items, for incremental pipeline caching.</summary>
internal sealed class EquatableList<T>(ImmutableArray<T> items) : IEquatable<EquatableList<T>>
{
    /// <summary>The items.</summary>
    public ImmutableArray<T> Items { get; } = items;

    public bool Equals(EquatableList<T>? other) => other is not null && Items.SequenceEqual(other.Items);

    public override bool Equals(object? obj) => Equals(obj as EquatableList<T>);

    public override int GetHashCode()
    {
        int hash = 17;
        foreach (var item in Items) hash = (hash * 31) + (item?.GetHashCode() ?? 0);
        return hash;
    }
}
