using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Records;
using CallServer.Domain.Views;

namespace CallServer.Domain.Tests;

/// <summary>Whom the caller's history entry names: the address it dialed, or the account a forward reached.</summary>
public sealed class CallHistoryEntryTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 14, 9, 26, 53, TimeSpan.Zero);

    private static Address A(string text) => Address.Parse(text, "example.test");

    private static CallRecord Answered(Address dialed, Address answeredBy, IReadOnlyList<Address> chain) => new(
        "call-1", A("alice"), null, false, dialed, answeredBy, chain, Start, Start, Start.AddSeconds(5), Start.AddSeconds(65), TimeSpan.FromSeconds(60),
        new CallRecordEnd(EndReason.EndedLocally, CallStatusCodes.EndedByLocalUser), new CallRecordEnd(EndReason.EndedRemotely, CallStatusCodes.SessionCompleted), false, TimeSpan.Zero);

    [Fact]
    public void A_call_to_a_number_names_the_number_for_the_caller_and_the_gateway_account_has_its_own_entry()
    {
        var entries = CallHistoryEntries.Of(Answered(A("tel:+15551234567"), A("pstn-gateway"), [A("pstn-gateway")]), A("alice"));

        var outgoing = Assert.Single(entries, e => e.Account == A("alice")).Entry;
        Assert.Equal(CallDirection.Outgoing, outgoing.Direction);
        Assert.Equal(A("tel:+15551234567"), outgoing.RemoteAddress);
        var incoming = Assert.Single(entries, e => e.Account == A("pstn-gateway")).Entry;
        Assert.Equal(A("alice"), incoming.RemoteAddress);
    }

    [Fact]
    public void A_forwarded_call_names_the_account_that_answered_for_the_caller()
    {
        var entries = CallHistoryEntries.Of(Answered(A("bob"), A("carol"), [A("bob"), A("carol")]), A("alice"));

        Assert.Equal(A("carol"), Assert.Single(entries, e => e.Account == A("alice")).Entry.RemoteAddress);
    }
}
