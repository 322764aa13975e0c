using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Decisions;
using CallServer.Domain.Records;
using CallServer.Domain.Views;
using static CallServer.Domain.Tests.CallScenario;

namespace CallServer.Domain.Tests;

/// <summary>Lifecycle events of each change (webhooks), the record of an ended call, and each party's history entry.</summary>
public sealed class CallRecordTests
{
    private static List<string> Types(CallScenario s, Decision decision, Call before) =>
        CallLifecycle.Between(before, decision.Call!, s.Now).Select(e => e.Type).ToList();

    private static List<string> EventsOfWholeScenario(Call? start, IEnumerable<(Call Before, Call After)> changes, DateTimeOffset now)
    {
        var types = new List<string>();
        if (start is not null)
        {
            types.AddRange(CallLifecycle.Between(null, start, now).Select(e => e.Type));
        }

        foreach (var (before, after) in changes)
        {
            types.AddRange(CallLifecycle.Between(before, after, now).Select(e => e.Type));
        }

        return types;
    }

    [Fact]
    public void An_answered_call_goes_created_ringing_answered_ended_and_its_record_has_every_time_and_the_hold()
    {
        var s = Created();
        var created = s.Call;
        var changes = new List<(Call, Call)>();
        void Step(CallCommand command)
        {
            var before = s.Call;
            var decision = s.Do(command, followUps: false);
            changes.Add((before, s.Call));
            foreach (var followUp in decision.FollowUps)
            {
                Step(followUp);
            }
        }

        s.Advance(TimeSpan.FromSeconds(1));
        Step(new EstablishCall(AlicePhone, TestSdp.VideoOffer, BobsDevices()));
        var ringingAt = s.Now;
        s.Advance(TimeSpan.FromSeconds(4));
        Step(new AcceptCall(BobPhone, TestSdp.Answer(video: "sendrecv")));
        var answeredAt = s.Now;
        s.Advance(TimeSpan.FromSeconds(10));
        Step(Hold(AlicePhone));
        s.Advance(TimeSpan.FromSeconds(2));
        Step(new AnswerRenegotiation(BobPhone, "op-hold", TestSdp.Answer(audio: "recvonly")));
        s.Advance(TimeSpan.FromSeconds(30));
        Step(Unhold(AlicePhone));
        Step(new AnswerRenegotiation(BobPhone, "op-unhold", TestSdp.Answer()));
        s.Advance(TimeSpan.FromSeconds(20));
        Step(new EndCall(BobPhone));

        Assert.Equal([CallEventTypes.Created, CallEventTypes.Ringing, CallEventTypes.Answered, CallEventTypes.Ended], EventsOfWholeScenario(created, changes, s.Now));

        var record = CallRecord.Of(s.Call);
        Assert.Equal(Alice, record.Caller);
        Assert.Equal(Bob, record.Callee);
        Assert.Equal(Bob, record.AnsweredBy);
        Assert.Equal(T0, record.CreatedAt);
        Assert.Equal(ringingAt, record.RingingAt);
        Assert.Equal(answeredAt, record.AnsweredAt);
        Assert.Equal(s.Now, record.EndedAt);
        Assert.Equal(s.Now - answeredAt, record.InCallDuration);
        Assert.Equal(TimeSpan.FromSeconds(30), record.TimeOnHold);
        Assert.Equal(EndReason.EndedRemotely, record.CallerEnd.Reason);
        Assert.Equal(EndReason.EndedLocally, record.CalleeEnd.Reason);
        Assert.True(record.Video);
        Assert.False(record.CallerAnonymous);

        var entries = CallHistoryEntries.Of(record, Alice);
        var alice = Assert.Single(entries, e => e.Account == Alice).Entry;
        Assert.Equal(CallDirection.Outgoing, alice.Direction);
        Assert.Equal(Bob, alice.RemoteAddress);
        Assert.False(alice.Missed);
        var bob = Assert.Single(entries, e => e.Account == Bob).Entry;
        Assert.Equal(CallDirection.Incoming, bob.Direction);
        Assert.Equal(Alice, bob.RemoteAddress);
        Assert.False(bob.Missed);
        Assert.Equal(record.InCallDuration, bob.InCallDuration);
    }

    [Fact]
    public void A_call_that_ends_on_hold_counts_the_hold_up_to_the_end()
    {
        var s = InCall();
        s.Advance(TimeSpan.FromSeconds(3));
        s.Do(Hold(BobPhone));
        s.Do(new AnswerRenegotiation(AlicePhone, "op-hold", TestSdp.Answer(audio: "recvonly")));
        s.Advance(TimeSpan.FromSeconds(7));
        s.Do(new EndCall(AlicePhone));
        Assert.Equal(TimeSpan.FromSeconds(7), CallRecord.Of(s.Call).TimeOnHold);
        Assert.Null(s.Call.HeldSince);
    }

    [Fact]
    public void An_unanswered_call_is_missed_for_the_callee_and_a_forward_gives_each_account_its_own_entry()
    {
        var s = Ringing();
        var before = s.Call;
        var forwarded = s.Do(new ForwardCall(BobPhone, "carol", Carol, Devices(Carol, CarolPhone)), followUps: false);
        Assert.Equal([CallEventTypes.Forwarded, CallEventTypes.Ringing], Types(s, forwarded, before));
        s.Unchanged(forwarded.FollowUps[0]); // still Ringing: no second ringing event

        s.Advance(Settings.RingTimeout);
        before = s.Call;
        var timedOut = s.Do(new TimerElapsed(CallTimerKind.Ring, s.Call.RingGeneration.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal([CallEventTypes.Ended], Types(s, timedOut, before));

        var record = CallRecord.Of(s.Call);
        Assert.Equal(Bob, record.Callee);
        Assert.Null(record.AnsweredBy);
        Assert.Equal([Bob, Carol], record.ForwardChain);
        Assert.Equal(TimeSpan.Zero, record.InCallDuration);
        Assert.Equal(EndReason.NoAnswer, record.CallerEnd.Reason);

        var entries = CallHistoryEntries.Of(record, Alice).ToDictionary(e => e.Account, e => e.Entry);
        Assert.False(entries[Alice].Missed);
        Assert.Equal(Carol, entries[Alice].RemoteAddress);
        Assert.Equal(EndReason.Forwarded, entries[Bob].EndReason);
        Assert.False(entries[Bob].Missed);
        Assert.True(entries[Carol].Missed);
        Assert.Equal(EndReason.NoAnswer, entries[Carol].EndReason);
    }

    [Fact]
    public void A_rejected_call_is_not_missed_and_an_anonymous_caller_gets_no_entry()
    {
        var s = Created(profile: new CallerProfile(IsAnonymous: true, HasTelephoneNumber: false, AllowedCallees: null, DisplayName: "Visitor"), caller: AnonymousBrowser);
        s.Do(new EstablishCall(AnonymousBrowser, TestSdp.AudioOffer, BobsDevices()));
        s.Do(new RejectCall(BobLaptop));
        var record = CallRecord.Of(s.Call);
        Assert.True(record.CallerAnonymous);
        Assert.False(record.Video);
        var entry = Assert.Single(CallHistoryEntries.Of(record, Anonymous));
        Assert.Equal(Bob, entry.Account);
        Assert.False(entry.Entry.Missed);
        Assert.Equal(EndReason.Rejected, entry.Entry.EndReason);
    }

    [Fact]
    public void A_call_the_caller_ended_before_its_offer_is_in_the_callers_history_only()
    {
        var s = Created();
        s.Do(new EndCall(AlicePhone));
        var record = CallRecord.Of(s.Call);
        Assert.False(record.Offered);
        var entry = Assert.Single(CallHistoryEntries.Of(record, Alice));
        Assert.Equal(Alice, entry.Account);
        Assert.Equal(CallDirection.Outgoing, entry.Entry.Direction);
    }

    [Fact]
    public void A_call_not_yet_ended_has_no_record()
    {
        Assert.Throws<ArgumentException>(() => CallRecord.Of(Ringing().Call));
    }
}
