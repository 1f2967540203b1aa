using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

// The object layer is written for .NET 10; compilers load generators as netstandard2.0. These C# 14 extension
// members supply the few newer APIs it uses, so its sources compile here unchanged.
[assembly: SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1035:Do not use APIs banned for analyzers",
    Scope = "member", Target = "~M:Sluice.Bpf.Object.ObjectReader.Read(System.String)~Sluice.Bpf.Object.ObjectSpec",
    Justification = "The generator reads objects from memory only; this path-based overload is never called here.")]

namespace Sluice.Bpf.Object;

internal static class NetStandardPolyfills
{
    extension(ArgumentNullException)
    {
        public static void ThrowIfNull([NotNull] object? argument, [CallerArgumentExpression(nameof(argument))] string? name = null)
        {
            if (argument is null) throw new ArgumentNullException(name);
        }
    }

    extension(char)
    {
        public static bool IsAsciiLetterOrDigit(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9');
    }

    extension(string text)
    {
        public int IndexOf(char value, StringComparison comparison) => text.IndexOf(value.ToString(), comparison);

        public bool EndsWith(char value) => text.Length > 0 && text[text.Length - 1] == value;
    }

    extension(Encoding encoding)
    {
        public string GetString(ReadOnlySpan<byte> bytes) => encoding.GetString(bytes.ToArray());
    }

    extension<TKey, TValue>(Dictionary<TKey, TValue> dictionary) where TKey : notnull
    {
        public bool TryAdd(TKey key, TValue value)
        {
            if (dictionary.ContainsKey(key)) return false;
            dictionary.Add(key, value);
            return true;
        }
    }

    extension<T>(List<T> list)
    {
        public void AddRange(Span<T> items)
        {
            foreach (var item in items) list.Add(item);
        }
    }

    public static void Deconstruct<TKey, TValue>(this KeyValuePair<TKey, TValue> pair, out TKey key, out TValue value)
    {
        key = pair.Key;
        value = pair.Value;
    }
}
