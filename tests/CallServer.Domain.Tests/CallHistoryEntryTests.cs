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

    [Fact]
    public void Each_party_sees_the_transfers_of_the_call_and_only_its_own_moves_between_devices()
    {
        var record = Answered(A("bob"), A("bob"), [A("bob")]) with
        {
            TransferredTo = new CallRecordTransfer("call-2", A("bob"), A("carol")),
            PulledFrom = [new CallRecordMove(CallSide.Callee, Start.AddSeconds(10)), new CallRecordMove(CallSide.Caller, Start.AddSeconds(20))],
        };

        var entries = CallHistoryEntries.Of(record, A("alice"));
        var alice = Assert.Single(entries, e => e.Account == A("alice")).Entry;
        var bob = Assert.Single(entries, e => e.Account == A("bob")).Entry;
        Assert.Equal(record.TransferredTo, alice.TransferredTo);
        Assert.Equal(record.TransferredTo, bob.TransferredTo);
        Assert.Equal([Start.AddSeconds(20)], alice.PulledAt);
        Assert.Equal([Start.AddSeconds(10)], bob.PulledAt);

        var placed = CallHistoryEntries.Of(Answered(A("carol"), A("carol"), [A("carol")]) with { TransferredFrom = new CallRecordTransfer("call-1", A("bob")) }, A("alice"));
        Assert.All(placed, e => Assert.Equal(new CallRecordTransfer("call-1", A("bob")), e.Entry.TransferredFrom));
    }
}
