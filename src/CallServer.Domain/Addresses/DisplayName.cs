using System.Globalization;
using System.Text;

namespace CallServer.Domain.Addresses;

/// <summary>
/// A name a caller shows the callee (anonymous callers may give one). It reaches another person's screen,
/// so it is made safe first: control and format characters (bidi overrides, zero-width joiners, NUL) and
/// angle brackets are removed, runs of white space become one space, and a name that would read as an
/// address (it has an <c>@</c>) is refused, so that "Support &lt;alice@…&gt;" cannot pose as a user.
/// </summary>
public static class DisplayName
{
    public const int MaxLength = 64;

    /// <summary>The safe form of <paramref name="text"/> (null stays null), or the reason it is refused.</summary>
    public static (string? Name, string? Error) Normalize(string? text)
    {
        if (text is null)
        {
            return (null, null);
        }

        var safe = new StringBuilder(text.Length);
        var space = false;
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune))
            {
                space = safe.Length > 0;
                continue;
            }

            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                || rune.Value is '<' or '>')
            {
                continue;
            }

            if (space)
            {
                safe.Append(' ');
                space = false;
            }

            safe.Append(rune.ToString());
        }

        var name = safe.ToString();
        return name switch
        {
            { Length: 0 } => (null, "displayName has no visible characters"),
            { Length: > MaxLength } => (null, $"displayName has at most {MaxLength} characters"),
            _ when name.Contains('@', StringComparison.Ordinal) => (null, "displayName must not contain '@': it would read as an address"),
            _ => (name, null),
        };
    }
}
