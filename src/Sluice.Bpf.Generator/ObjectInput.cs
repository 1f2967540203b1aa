using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Sluice.Bpf.Generator;

/// <summary>
/// One BPF object handed to the generator: build/Sluice.Bpf.targets writes each compiled object as base64 text
/// (AdditionalFiles carry text, not bytes) and describes it with item metadata. A record of strings, so the
/// incremental pipeline skips unchanged objects.
/// </summary>
internal sealed record ObjectInput(
    string Path, string Base64, string ResourceName, string ClassName, EquatableList<string> ExtraTypes)
{
    private const string Prefix = "build_metadata.AdditionalFiles.";

    /// <summary>The input for <paramref name="file"/>, or null when the file is not a BPF object item.</summary>
    internal static ObjectInput? From(AdditionalText file, AnalyzerConfigOptions options, CancellationToken cancellation)
    {
        if (!options.TryGetValue(Prefix + "SluiceBpfObject", out var flag) || !string.Equals(flag, "true", StringComparison.OrdinalIgnoreCase))
            return null;
        string text = file.GetText(cancellation)?.ToString() ?? "";
        options.TryGetValue(Prefix + "SluiceBpfResourceName", out var resource);
        options.TryGetValue(Prefix + "SluiceBpfClassName", out var className);
        options.TryGetValue(Prefix + "SluiceBpfTypes", out var types);
        resource = string.IsNullOrEmpty(resource) ? System.IO.Path.GetFileNameWithoutExtension(file.Path) : resource!;
        return new ObjectInput(file.Path, text.Trim(), resource,
            string.IsNullOrEmpty(className) ? CSharpNames.ObjectClass(resource) : className!,
            new EquatableList<string>((types ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries)
                .Select(t => t.Trim()).Where(t => t.Length > 0).ToImmutableArray()));
    }
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
