using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace CallServer.Domain.Addresses;

/// <summary>
/// A normalised party address: <c>username@domain</c> (lowercase), <c>tel:+E164</c>, or an anonymous
/// caller's <c>anonymous-…@domain</c>. Equality is by the normalised text.
/// </summary>
public sealed partial record Address
{
    public const int MaxLength = 256;
    public const string AnonymousPrefix = "anonymous-";

    private Address(string value, AddressKind kind)
    {
        Value = value;
        Kind = kind;
    }

    public string Value { get; }

    public AddressKind Kind { get; }

    /// <summary>The part before <c>@</c> for user and anonymous addresses; the number for telephone ones.</summary>
    public string LocalPart => Kind == AddressKind.Telephone ? Value[4..] : Value[..Value.IndexOf('@')];

    public override string ToString() => Value;

    /// <summary>
    /// Parses what a client typed: <c>user@domain</c>, a bare <c>user</c> (→ <paramref name="defaultDomain"/>),
    /// <c>tel:+15551234567</c>. Returns false for anything else, or anything longer than <see cref="MaxLength"/>.
    /// </summary>
    public static bool TryParse(string? input, string defaultDomain, [NotNullWhen(true)] out Address? address)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(input) || input.Length > MaxLength)
        {
            return false;
        }

        var text = input.Trim().ToLowerInvariant();
        if (text.StartsWith("tel:", StringComparison.Ordinal))
        {
            if (!TelephonePattern().IsMatch(text))
            {
                return false;
            }

            address = new Address(text, AddressKind.Telephone);
            return true;
        }

        if (!text.Contains('@'))
        {
            text = text + "@" + defaultDomain.ToLowerInvariant();
        }

        var match = UserPattern().Match(text);
        if (!match.Success || text.Length > MaxLength)
        {
            return false;
        }

        var kind = match.Groups["user"].Value.StartsWith(AnonymousPrefix, StringComparison.Ordinal)
            ? AddressKind.Anonymous
            : AddressKind.User;
        address = new Address(text, kind);
        return true;
    }

    /// <summary>Parses or throws; for values the server itself made (token subjects, configuration).</summary>
    public static Address Parse(string input, string defaultDomain) =>
        TryParse(input, defaultDomain, out var address)
            ? address
            : throw new FormatException($"'{input}' is not a valid address.");

    /// <summary>True when <paramref name="username"/> may name a registered user (no domain, no anonymous prefix).</summary>
    public static bool IsValidUsername(string? username) =>
        !string.IsNullOrEmpty(username)
        && UsernamePattern().IsMatch(username)
        && !username.StartsWith(AnonymousPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>True for a telephone number in E.164 form, <c>+</c> and 2 to 15 digits.</summary>
    public static bool IsValidTelephoneNumber(string? number) =>
        number is not null && TelephonePattern().IsMatch("tel:" + number);

    [GeneratedRegex(@"^tel:\+[1-9][0-9]{1,14}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TelephonePattern();

    [GeneratedRegex(@"^(?<user>[a-z0-9][a-z0-9._-]{0,63})@(?<domain>[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*)\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserPattern();

    [GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex UsernamePattern();
}
