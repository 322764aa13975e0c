using CallServer.Domain.Calls;

namespace CallServer.Domain.Decisions;

/// <summary>Counts the time a call spends on hold (either side holding), for the call record.</summary>
internal static class HoldClock
{
    private static bool OnHold(Call call) => call.Caller.Held || call.Callee.Held;

    /// <summary>Starts the clock when a hold begins, stops it when the last hold ends.</summary>
    public static Call Track(Call before, Call after, DateTimeOffset now) => (OnHold(before), OnHold(after)) switch
    {
        (false, true) => after with { HeldSince = now },
        (true, false) => Stop(after with { HeldSince = before.HeldSince }, now),
        _ => after,
    };

    /// <summary>Adds the running hold (if any) to <see cref="Call.HeldFor"/>: the call ends, or its hold ended.</summary>
    public static Call Stop(Call call, DateTimeOffset now) => call.HeldSince is { } since
        ? call with { HeldFor = call.HeldFor + (now - since), HeldSince = null }
        : call;
}
