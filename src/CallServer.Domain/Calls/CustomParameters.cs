using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using CallServer.Domain.Errors;

namespace CallServer.Domain.Calls;

/// <summary>
/// An application's own key/value pairs that travel with a call (rule 25): at most <see cref="MaxEntries"/> entries,
/// keys of <c>[A-Za-z0-9_-]{1,64}</c>, values of at most <see cref="MaxValueBytes"/> UTF-8 bytes. A party's parameters
/// are merged over the call (a later value of a key wins), still at most <see cref="MaxEntries"/> keys.
/// </summary>
public sealed partial class CustomParameters : IEquatable<CustomParameters>
{
    public const int MaxEntries = 16;
    public const int MaxKeyLength = 64;
    public const int MaxValueBytes = 512;

    public static readonly CustomParameters None = new(ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal));

    private CustomParameters(ImmutableSortedDictionary<string, string> values) => Values = values;

    public ImmutableSortedDictionary<string, string> Values { get; }

    public int Count => Values.Count;

    public bool IsEmpty => Values.Count == 0;

    /// <summary>The parameters a client sent (null: none), or why they are refused (<c>InvalidArgument</c>).</summary>
    public static (CustomParameters? Parameters, DomainError? Error) Parse(IReadOnlyDictionary<string, string>? input)
    {
        if (input is null || input.Count == 0)
        {
            return (None, null);
        }

        if (input.Count > MaxEntries)
        {
            return (null, Invalid($"at most {MaxEntries} custom parameters"));
        }

        foreach (var (key, value) in input)
        {
            if (key is null || !KeyPattern().IsMatch(key))
            {
                return (null, Invalid($"a custom parameter's key is 1 to {MaxKeyLength} of A-Z, a-z, 0-9, _ and -"));
            }

            if (value is null || Encoding.UTF8.GetByteCount(value) > MaxValueBytes)
            {
                return (null, Invalid($"custom parameter '{key}' needs a text value of at most {MaxValueBytes} bytes"));
            }
        }

        return (new CustomParameters(input.ToImmutableSortedDictionary(StringComparer.Ordinal)), null);
    }

    /// <summary>Stored or recorded parameters, trusted as they are.</summary>
    public static CustomParameters Of(IEnumerable<KeyValuePair<string, string>> values) =>
        new(values.ToImmutableSortedDictionary(StringComparer.Ordinal));

    /// <summary>These parameters with <paramref name="later"/> over them, or why not (more than <see cref="MaxEntries"/> keys).</summary>
    public (CustomParameters? Merged, DomainError? Error) Merge(CustomParameters later)
    {
        if (later.IsEmpty)
        {
            return (this, null);
        }

        var merged = Values.SetItems(later.Values);
        return merged.Count > MaxEntries
            ? (null, Invalid($"at most {MaxEntries} custom parameters per party over a call"))
            : (new CustomParameters(merged), null);
    }

    /// <summary>Two parameter sets are equal when they hold the same keys with the same values.</summary>
    public bool Equals(CustomParameters? other) =>
        other is not null && (ReferenceEquals(this, other) || (Count == other.Count && Values.All(pair => other.Values.TryGetValue(pair.Key, out var value) && value == pair.Value)));

    public override bool Equals(object? obj) => Equals(obj as CustomParameters);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (key, value) in Values)
        {
            hash.Add(key, StringComparer.Ordinal);
            hash.Add(value, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => "{" + string.Join(", ", Values.Select(pair => pair.Key + "=" + pair.Value)) + "}";

    private static DomainError Invalid(string message) => DomainError.Of(ErrorCode.InvalidArgument, message);

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}
