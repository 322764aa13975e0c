using CallServer.Domain.Calls;

namespace CallServer.Storage.Tests.Infrastructure;

/// <summary>Field-by-field equality of calls (record equality compares the immutable lists by reference).</summary>
public static class CallAssert
{
    public static void Same(Call expected, Call? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.CallId, actual.CallId);
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.Caller, actual.Caller);
        Assert.Equal(expected.Callee, actual.Callee);
        Assert.Equal(expected.Phase, actual.Phase);
        Assert.Equal(expected.OfferKind, actual.OfferKind);
        Assert.Equal(expected.Offer, actual.Offer);
        Assert.Equal(expected.Devices.AsEnumerable(), actual.Devices.AsEnumerable());
        Assert.Equal(expected.ForwardChain.AsEnumerable(), actual.ForwardChain.AsEnumerable());
        Assert.Equal(expected.CandidatesForCallee.AsEnumerable(), actual.CandidatesForCallee.AsEnumerable());
        Assert.Equal(expected.CandidatesFromDevices.AsEnumerable(), actual.CandidatesFromDevices.AsEnumerable());
        Assert.Equal(expected.PendingOperation, actual.PendingOperation);
        Assert.Equal(
            expected.MovedFrom.Select(m => (m.Side, m.DeviceId, m.MovedAt.ToUnixTimeMilliseconds())),
            actual.MovedFrom.Select(m => (m.Side, m.DeviceId, m.MovedAt.ToUnixTimeMilliseconds())));
        Assert.Equal(expected.Transfer, actual.Transfer);
        Assert.Equal(expected.TransferredFrom, actual.TransferredFrom);
        Assert.Equal(expected.CallerAllowedCallees?.AsEnumerable(), actual.CallerAllowedCallees?.AsEnumerable());
        Assert.Equal(expected.RingGeneration, actual.RingGeneration);
        Assert.Equal(expected.WokenAccount, actual.WokenAccount);
        Assert.Equal(expected.WokenAt?.ToUnixTimeMilliseconds(), actual.WokenAt?.ToUnixTimeMilliseconds());
        Assert.Equal(expected.RingingAt?.ToUnixTimeMilliseconds(), actual.RingingAt?.ToUnixTimeMilliseconds());
        Assert.Equal(expected.HeldSince?.ToUnixTimeMilliseconds(), actual.HeldSince?.ToUnixTimeMilliseconds());
        Assert.Equal(expected.HeldFor, actual.HeldFor);
        Assert.Equal(expected.EndReasonText, actual.EndReasonText);
        AssertInstant(expected.CreatedAt, actual.CreatedAt);
        AssertInstant(expected.AnsweredAt, actual.AnsweredAt);
        AssertInstant(expected.EndedAt, actual.EndedAt);

        // Address kinds survive too (Address equality is by text only).
        Assert.Equal(expected.Caller.Address.Kind, actual.Caller.Address.Kind);
        Assert.Equal(expected.Caller.Account.Kind, actual.Caller.Account.Kind);
        Assert.Equal(expected.Callee.Address.Kind, actual.Callee.Address.Kind);
        Assert.Equal(expected.Callee.Account.Kind, actual.Callee.Account.Kind);
        Assert.Equal(expected.Devices.Select(d => d.Account.Kind), actual.Devices.Select(d => d.Account.Kind));
        Assert.Equal(expected.ForwardChain.Select(a => a.Kind), actual.ForwardChain.Select(a => a.Kind));

        // And the offsets of the devices' instants (DateTimeOffset equality is by the instant only).
        Assert.Equal(expected.Devices.Select(d => d.EndedAt?.Offset), actual.Devices.Select(d => d.EndedAt?.Offset));
    }

    private static void AssertInstant(DateTimeOffset? expected, DateTimeOffset? actual)
    {
        Assert.Equal(expected, actual);
        Assert.Equal(expected?.Offset, actual?.Offset);
    }
}
