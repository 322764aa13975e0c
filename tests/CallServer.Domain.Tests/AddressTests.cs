using CallServer.Domain.Addresses;

namespace CallServer.Domain.Tests;

public sealed class AddressTests
{
    private const string DefaultDomain = "callserver.local";

    [Theory]
    [InlineData("bob@example.com", "bob@example.com", AddressKind.User)]
    [InlineData("Bob@Example.COM", "bob@example.com", AddressKind.User)]
    [InlineData("  alice@example.com  ", "alice@example.com", AddressKind.User)]
    [InlineData("bob", "bob@callserver.local", AddressKind.User)]
    [InlineData("BOB", "bob@callserver.local", AddressKind.User)]
    [InlineData("j.doe-2_x@sub.example.co.uk", "j.doe-2_x@sub.example.co.uk", AddressKind.User)]
    [InlineData("42@example.com", "42@example.com", AddressKind.User)]
    [InlineData("tel:+15551234567", "tel:+15551234567", AddressKind.Telephone)]
    [InlineData("TEL:+4930123456", "tel:+4930123456", AddressKind.Telephone)]
    [InlineData("tel:+12", "tel:+12", AddressKind.Telephone)]
    [InlineData("tel:+123456789012345", "tel:+123456789012345", AddressKind.Telephone)]
    [InlineData("anonymous-7f3a9c@example.com", "anonymous-7f3a9c@example.com", AddressKind.Anonymous)]
    [InlineData("Anonymous-ABC@Example.com", "anonymous-abc@example.com", AddressKind.Anonymous)]
    [InlineData("anonymous-7f3a9c", "anonymous-7f3a9c@callserver.local", AddressKind.Anonymous)]
    public void Valid_addresses_are_normalised(string input, string expected, AddressKind kind)
    {
        Assert.True(Address.TryParse(input, DefaultDomain, out var address));
        Assert.Equal(expected, address.Value);
        Assert.Equal(expected, address.ToString());
        Assert.Equal(kind, address.Kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("@example.com")]
    [InlineData("bob@")]
    [InlineData("bob@@example.com")]
    [InlineData("bob@exa mple.com")]
    [InlineData("bob smith")]
    [InlineData("bob@exa_mple.com")]
    [InlineData("-bob@example.com")]
    [InlineData(".bob@example.com")]
    [InlineData("bob@-example.com")]
    [InlineData("bob@example-.com")]
    [InlineData("bob@example.com.")]
    [InlineData("bob@example..com")]
    [InlineData("sip:bob@example.com")]
    [InlineData("bob@example.com;transport=tcp")]
    [InlineData("<bob@example.com>")]
    [InlineData("böb@example.com")]
    [InlineData("bob\n@example.com")]
    [InlineData("tel:15551234567")]
    [InlineData("tel:+")]
    [InlineData("tel:+1")]
    [InlineData("tel:+0123456789")]
    [InlineData("tel:+1234567890123456")]
    [InlineData("tel:+1-555-123-4567")]
    [InlineData("tel:+1 555 1234567")]
    [InlineData("tel:+1555abc")]
    [InlineData("tel:")]
    [InlineData("+15551234567@")]
    [InlineData("'; DROP TABLE users; --")]
    public void Garbage_is_rejected(string? input)
    {
        Assert.False(Address.TryParse(input, DefaultDomain, out var address));
        Assert.Null(address);
    }

    [Fact]
    public void A_user_part_of_64_characters_is_accepted_and_65_is_not()
    {
        Assert.True(Address.TryParse(new string('u', 64) + "@example.com", DefaultDomain, out _));
        Assert.False(Address.TryParse(new string('u', 65) + "@example.com", DefaultDomain, out _));
    }

    [Theory]
    [InlineData(200, true)]
    [InlineData(255, true)]
    [InlineData(257, false)]
    [InlineData(300, false)]
    [InlineData(10_000, false)]
    public void Addresses_longer_than_256_characters_are_rejected(int length, bool accepted)
    {
        var input = AddressOfLength(length);
        Assert.Equal(length, input.Length);
        Assert.Equal(accepted, Address.TryParse(input, DefaultDomain, out _));
    }

    [Fact]
    public void A_bare_username_that_becomes_too_long_with_the_default_domain_is_rejected()
    {
        var longDomain = string.Join('.', Enumerable.Repeat(new string('d', 60), 4)); // 243 characters
        Assert.True(Address.TryParse("bob", longDomain, out var shortEnough));
        Assert.Equal(247, shortEnough.Value.Length);
        Assert.False(Address.TryParse("bobbybobbybob", longDomain, out _)); // 13 + 1 + 243 = 257
    }

    [Fact]
    public void The_default_domain_is_lowercased()
    {
        Assert.True(Address.TryParse("carol", "Example.ORG", out var address));
        Assert.Equal("carol@example.org", address.Value);
    }

    [Fact]
    public void Equality_is_by_normalised_text()
    {
        var a = Address.Parse("Bob@Example.com", DefaultDomain);
        var b = Address.Parse("bob@example.com", DefaultDomain);
        var c = Address.Parse("bob", "example.com");
        Assert.Equal(a, b);
        Assert.Equal(a, c);
        Assert.Equal(a.GetHashCode(), c.GetHashCode());
        Assert.NotEqual(a, Address.Parse("bob@example.org", DefaultDomain));
    }

    [Theory]
    [InlineData("bob@example.com", "bob")]
    [InlineData("anonymous-1@example.com", "anonymous-1")]
    [InlineData("tel:+15551234567", "+15551234567")]
    public void LocalPart_is_the_user_or_the_number(string input, string localPart) =>
        Assert.Equal(localPart, Address.Parse(input, DefaultDomain).LocalPart);

    [Fact]
    public void Parse_throws_on_garbage() =>
        Assert.Throws<FormatException>(() => Address.Parse("not an address", DefaultDomain));

    [Theory]
    [InlineData("bob", true)]
    [InlineData("Bob.Smith-2_x", true)]
    [InlineData("anonymous-1", false)]
    [InlineData("ANONYMOUS-1", false)]
    [InlineData("bob@example.com", false)]
    [InlineData("-bob", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsValidUsername(string? username, bool valid) =>
        Assert.Equal(valid, Address.IsValidUsername(username));

    [Theory]
    [InlineData("+15551234567", true)]
    [InlineData("+12", true)]
    [InlineData("15551234567", false)]
    [InlineData("+0555", false)]
    [InlineData("+1234567890123456", false)]
    [InlineData(null, false)]
    public void IsValidTelephoneNumber(string? number, bool valid) =>
        Assert.Equal(valid, Address.IsValidTelephoneNumber(number));

    /// <summary>A syntactically valid user address of exactly <paramref name="length"/> characters.</summary>
    private static string AddressOfLength(int length)
    {
        // "longuser01@" then labels of 60 characters separated by dots, then ".com".
        const string user = "longuser01@";
        var labels = new char[length - user.Length - 4];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = i % 61 == 60 && i != labels.Length - 1 ? '.' : 'd';
        }

        return user + new string(labels) + ".com";
    }

    [Theory]
    [InlineData("evil\n")]
    [InlineData("evil\r")]
    [InlineData("evil\u0000")]
    [InlineData("ev\u202eil")]
    [InlineData("\nevil")]
    public void A_username_with_a_control_or_format_character_is_refused(string username) =>
        Assert.False(Address.IsValidUsername(username));

    [Theory]
    [InlineData("+15550109999\n")]
    [InlineData("+15550109999\u0000")]
    [InlineData("+1555010\u200b9999")]
    public void A_telephone_number_with_a_trailing_or_inner_control_character_is_refused(string number) =>
        Assert.False(Address.IsValidTelephoneNumber(number));

    [Theory]
    [InlineData("Support Desk", "Support Desk")]
    [InlineData("  Ana   María  ", "Ana María")]
    [InlineData("Eve\u202Egnp.exe", "Evegnp.exe")]
    [InlineData("Null\u0000Byte", "NullByte")]
    [InlineData("Line\nBreak\tTab", "Line Break Tab")]
    [InlineData("Zero\u200BWidth\u2066Isolate\u2069", "ZeroWidthIsolate")]
    [InlineData("<Bob>", "Bob")]
    [InlineData("李小龍 🐉", "李小龍 🐉")]
    public void A_display_name_loses_control_format_and_angle_bracket_characters(string input, string expected)
    {
        var (name, error) = DisplayName.Normalize(input);
        Assert.Null(error);
        Assert.Equal(expected, name);
    }

    [Theory]
    [InlineData("Support <alice@callserver.local>")]
    [InlineData("alice@callserver.local")]
    [InlineData("\u202E\u0000 ")]
    [InlineData("")]
    public void A_display_name_that_reads_as_an_address_or_shows_nothing_is_refused(string input)
    {
        var (name, error) = DisplayName.Normalize(input);
        Assert.Null(name);
        Assert.NotNull(error);
    }

    [Fact]
    public void A_display_name_longer_than_64_visible_characters_is_refused_and_null_stays_null()
    {
        Assert.NotNull(DisplayName.Normalize(new string('a', 65)).Error);
        Assert.Equal(new string('a', 64), DisplayName.Normalize(new string('a', 64) + "\u200B").Name);
        Assert.Equal((null, null), DisplayName.Normalize(null));
    }
}
